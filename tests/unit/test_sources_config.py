"""sources.yml is validated on load; each kind of mistake gives one error naming entry and field."""

import copy

import pytest

from orchestration.sources import SourceConfigError, load_sources
from tests.conftest import PROJECT_ROOT, write_sources


def _load(tmp_path, document):
    return load_sources(write_sources(tmp_path / "sources.yml", document), PROJECT_ROOT)


def test_the_real_sources_file_is_valid():
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    assert {"shmi", "ae_monthly", "ssnap_thrombectomy", "ods_etr", "ods_succ", "ons_sicbl_icb_nhser"} <= set(
        config.ids
    )
    shmi = config.by_id("shmi")
    assert len(shmi.releases) == 11
    assert len(config.by_id("ae_monthly").releases) == 14  # December 2019 (.xls) + 13 monthly CSVs
    # every release of every source has a bundled real snapshot on disk
    for source in config.sources:
        for release in source.releases:
            assert (PROJECT_ROOT / release.snapshot).is_file()


def test_unknown_key_names_entry_and_field(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][3]["scheduel"] = "0 7 15 * *"
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    message = str(error.value)
    assert "source 'shmi' (entry 4)" in message
    assert "field 'scheduel'" in message
    assert "unknown key" in message


def test_bad_cron_names_entry_and_field(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][4]["schedule"] = "61 25 * * *"
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    assert "source 'ae_monthly' (entry 5), field 'schedule'" in str(error.value)
    assert "cron" in str(error.value)


def test_missing_snapshot_names_release_and_path(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][3]["releases"][2]["snapshot"] = "data/snapshots/shmi/not-there.csv"
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    message = str(error.value)
    assert "source 'shmi'" in message and "release 3 ('2012-04')" in message
    assert "field 'snapshot'" in message and "not-there.csv" in message


def test_host_not_allowed(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][4]["releases"][0]["url"] = "https://evil.example.com/Monthly-AE.csv"
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    assert "source 'ae_monthly'" in str(error.value)
    assert "'evil.example.com' is not in allowed_hosts" in str(error.value)


def test_plain_http_live_url_is_refused(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][4]["releases"][0]["url"] = "http://www.england.nhs.uk/x.csv"
    with pytest.raises(SourceConfigError, match="must use https"):
        _load(tmp_path, document)


def test_duplicate_id(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"].append(copy.deepcopy(document["sources"][3]))
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    assert "duplicate id 'shmi'" in str(error.value)


def test_duplicate_release_label(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][3]["releases"][1]["release"] = document["sources"][3]["releases"][0]["release"]
    with pytest.raises(SourceConfigError, match="duplicate release label"):
        _load(tmp_path, document)


def test_missing_required_field_and_bad_kind(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    del document["sources"][0]["licence"]
    with pytest.raises(SourceConfigError, match=r"source 'ons_sicbl_icb_nhser' \(entry 1\), field 'licence'"):
        _load(tmp_path, document)
    document = copy.deepcopy(sources_document)
    document["sources"][0]["kind"] = "gossip"
    with pytest.raises(SourceConfigError, match="field 'kind'"):
        _load(tmp_path, document)


def test_unsafe_identifier_is_refused(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    document["sources"][0]["id"] = "lookup; drop table x"
    with pytest.raises(SourceConfigError, match="field 'id'"):
        _load(tmp_path, document)


def test_not_yaml_and_not_a_mapping(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text("sources: [unclosed", encoding="utf-8")
    with pytest.raises(SourceConfigError, match="not valid YAML"):
        load_sources(path, PROJECT_ROOT)
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(SourceConfigError, match="expected a mapping"):
        load_sources(path, PROJECT_ROOT)


def _source(document: dict, source_id: str) -> dict:
    return next(source for source in document["sources"] if source["id"] == source_id)


def test_indicator_source_without_max_unmapped_share_is_refused(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    del _source(document, "shmi")["max_unmapped_share"]
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    message = str(error.value)
    assert "source 'shmi'" in message and "max_unmapped_share" in message and "required" in message


def test_max_unmapped_share_must_be_a_fraction_and_only_on_indicator_sources(tmp_path, sources_document):
    document = copy.deepcopy(sources_document)
    _source(document, "ae_monthly")["max_unmapped_share"] = 25
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    assert "source 'ae_monthly'" in str(error.value) and "max_unmapped_share" in str(error.value)

    document = copy.deepcopy(sources_document)
    _source(document, "ods_etr")["max_unmapped_share"] = 0.1
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    assert "source 'ods_etr'" in str(error.value) and "only indicator sources" in str(error.value)


def test_a_release_may_declare_its_own_format_matching_its_file(tmp_path, sources_document):
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    ae = config.by_id("ae_monthly")
    assert ae.format == "csv"
    assert ae.format_of(ae.release_by_label("2019-12")) == "xls"
    assert ae.format_of(ae.release_by_label("2024-06")) == "csv"  # no override: the source's format

    document = copy.deepcopy(sources_document)
    _source(document, "ae_monthly")["releases"][1]["format"] = "xls"  # a .csv snapshot
    with pytest.raises(SourceConfigError) as error:
        _load(tmp_path, document)
    message = str(error.value)
    assert "source 'ae_monthly'" in message and "release 2 ('2024-06'), field 'format'" in message
    assert "declared 'xls'" in message and "Monthly-AE-June-2024 copy.csv" in message

    document = copy.deepcopy(sources_document)
    _source(document, "ae_monthly")["releases"][0]["format"] = "xlsm"
    with pytest.raises(
        SourceConfigError, match=r"source 'ae_monthly' \(entry 5\), release 1, field 'format'"
    ):
        _load(tmp_path, document)
