"""Every malformed sources.yml shape: `audit-insight sources validate` exits non-zero with one clear
message naming the entry and the field (and `audit-insight run` refuses before fetching anything).

tests/unit/test_sources_config.py covers load_sources() for several of these; here each shape goes
through the command a data engineer runs.
"""

import copy

import pytest
import yaml

from orchestration import cli
from tests.conftest import write_sources

pytestmark = pytest.mark.faults


def first_with(document: dict, kind: str | None = None) -> dict:
    return next(s for s in document["sources"] if kind is None or s["kind"] == kind)


def run_validate(tmp_path, monkeypatch, capsys, text: str, command=("sources", "validate")):
    path = tmp_path / "sources.yml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("AUDIT_INSIGHT_SOURCES_FILE", str(path))
    monkeypatch.setenv("AUDIT_INSIGHT_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    status = cli.main(list(command))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def mutate(document: dict, change) -> str:
    document = copy.deepcopy(document)
    change(document)
    return yaml.safe_dump(document, sort_keys=False)


def _set(path: str, value):
    """A change setting ``sources[0].<path>`` (dots; ``releases.0.url`` reaches a release)."""

    def change(document):
        target = document["sources"][0]
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()

SHAPES = {
    # shape: (change, the text the error must contain)
    "missing id": (_set("id", _DELETE), "source entry 1, field 'id': required field is missing"),
    "missing parser": (
        _set("parser", _DELETE),
        "source 'ons_sicbl_icb_nhser' (entry 1), field 'parser': required",
    ),
    "missing releases": (_set("releases", _DELETE), "field 'releases': required field is missing"),
    "release without snapshot": (
        _set("releases.0.snapshot", _DELETE),
        "release 1, field 'snapshot': required",
    ),
    "max_bytes not a number": (
        _set("max_bytes", "big"),
        "field 'max_bytes': Input should be a valid integer",
    ),
    "max_bytes negative": (_set("max_bytes", -1), "field 'max_bytes': Input should be greater than 0"),
    "allowed_hosts a string": (
        _set("allowed_hosts", "example.org"),
        "field 'allowed_hosts': Input should be a valid list",
    ),
    "releases a mapping": (_set("releases", {"a": 1}), "field 'releases': Input should be a valid list"),
    "kind unknown": (
        _set("kind", "rumour"),
        "field 'kind': Input should be 'reference', 'nca', 'outcome' or 'access'",
    ),
    "format unknown": (_set("format", "docx"), "field 'format': Input should be"),
    "next_review not a date": (
        _set("next_review", "soon"),
        "field 'next_review': Input should be a valid date",
    ),
    "unknown key": (_set("colour", "blue"), "field 'colour': unknown key"),
    "bad cron": (_set("schedule", "every monday"), "field 'schedule': Value error, not a valid 5-field cron"),
    "cron out of range": (
        _set("schedule", "0 25 * * *"),
        "field 'schedule': Value error, not a valid 5-field cron",
    ),
    "bad host": (
        _set("allowed_hosts", ["exa mple.org"]),
        "field 'allowed_hosts': Value error, not a host name: 'exa mple.org'",
    ),
    "http homepage": (
        _set("homepage", "http://example.org/"),
        "field 'homepage': Value error, must be an https:// URL",
    ),
    "http live url": (
        _set("releases.0.url", "http://www.ons.gov.uk/x.csv"),
        "field 'url': live URLs must use https",
    ),
    "url host not allowed": (
        _set("releases.0.url", "https://evil.example.com/x.csv"),
        "field 'url': host 'evil.example.com' is not in allowed_hosts",
    ),
    "snapshot missing": (
        _set("releases.0.snapshot", "/nonexistent/file.csv"),
        "field 'snapshot': bundled file not found: /nonexistent/file.csv",
    ),
    "id with SQL in it": (
        _set("id", "ons'; drop table raw.x; --"),
        "field 'id': String should match pattern '^[a-z][a-z0-9_]{1,62}$'",
    ),
    "id with capitals": (_set("id", "ONS_Lookup"), "field 'id': String should match pattern"),
    "expectation suite with a path": (
        _set("expectation_suite", "../../etc/passwd"),
        "field 'expectation_suite': String should match pattern",
    ),
    "parser with a dot": (_set("parser", "os.system"), "field 'parser': String should match pattern"),
    "release label with a path": (
        _set("releases.0.release", "../2024"),
        "release 1, field 'release': String should match pattern",
    ),
    "unknown parser": (_set("parser", "no_such_parser"), "field 'parser': unknown parser 'no_such_parser'"),
    "unknown release parser": (
        _set("releases.0.parser", "no_such_parser"),
        "field 'parser': unknown parser 'no_such_parser'",
    ),
    "period_end before start": (
        _set("releases.0.period_end", "2000-01-01"),
        "field '(entry)': Value error, period_end is before period_start",
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_malformed_entry_is_named_with_its_field(tmp_path, monkeypatch, capsys, sources_document, shape):
    change, expected = SHAPES[shape]
    status, out, err = run_validate(tmp_path, monkeypatch, capsys, mutate(sources_document, change))
    assert status == 2, out
    assert err.startswith("error: sources.yml: "), err
    assert expected in err, err
    assert "Traceback" not in err and "all valid" not in out


def test_a_duplicate_id_is_named(tmp_path, monkeypatch, capsys, sources_document):
    def duplicate(document):
        document["sources"].append(copy.deepcopy(document["sources"][0]))

    status, _, err = run_validate(tmp_path, monkeypatch, capsys, mutate(sources_document, duplicate))
    assert status == 2
    count = len(sources_document["sources"]) + 1
    assert (
        f"source 'ons_sicbl_icb_nhser' (entry {count}), field 'id': duplicate id 'ons_sicbl_icb_nhser'" in err
    )


def test_a_duplicate_release_label_is_named(tmp_path, monkeypatch, capsys, sources_document):
    def duplicate(document):
        releases = document["sources"][0]["releases"]
        releases.append(copy.deepcopy(releases[0]))

    status, _, err = run_validate(tmp_path, monkeypatch, capsys, mutate(sources_document, duplicate))
    assert status == 2 and "field 'release': duplicate release label" in err


def test_an_indicator_source_without_its_unmapped_ceiling_is_named(
    tmp_path, monkeypatch, capsys, sources_document
):
    status, _, err = run_validate(
        tmp_path,
        monkeypatch,
        capsys,
        mutate(sources_document, lambda d: first_with(d, "outcome").pop("max_unmapped_share")),
    )
    assert status == 2 and "field '(entry)': Value error, max_unmapped_share: required" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "sources.yml: expected a mapping with 'schema_version' and 'sources'"),
        ("- just\n- a list\n", "sources.yml: expected a mapping with 'schema_version' and 'sources'"),
        ("plain text", "sources.yml: expected a mapping with 'schema_version' and 'sources'"),
        ("sources: [\n", "sources.yml: not valid YAML"),
        ("schema_version: 1\n", "sources.yml: top level, field 'sources': required field is missing"),
        (
            "schema_version: 2\nsources: []\n",
            "sources.yml: top level, field 'schema_version': Input should be 1",
        ),
        ("schema_version: 1\nsources: []\n", "field 'sources': List should have at least 1 item"),
        ("schema_version: 1\nsources: {a: 1}\n", "field 'sources': Input should be a valid list"),
        (
            "schema_version: 1\nsources: [1, 2]\n",
            "source entry 1, field '(entry)': Input should be a valid dictionary",
        ),
    ],
    ids=[
        "empty",
        "a-list",
        "a-scalar",
        "not-yaml",
        "no-sources",
        "wrong-version",
        "no-entries",
        "sources-a-mapping",
        "entries-not-mappings",
    ],
)
def test_a_malformed_file_shape_is_named(tmp_path, monkeypatch, capsys, text, expected):
    status, _, err = run_validate(tmp_path, monkeypatch, capsys, text)
    assert status == 2
    assert expected in err, err


def test_a_missing_sources_file_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_INSIGHT_SOURCES_FILE", str(tmp_path / "nowhere.yml"))
    assert cli.main(["sources", "validate"]) == 2
    assert f"error: nowhere.yml: file not found at {tmp_path / 'nowhere.yml'}" in capsys.readouterr().err


def test_run_refuses_a_malformed_file_before_fetching_anything(
    tmp_path, monkeypatch, capsys, sources_document
):
    text = mutate(sources_document, _set("schedule", "every monday"))
    status, out, err = run_validate(tmp_path, monkeypatch, capsys, text, command=("run",))
    assert status == 2 and "field 'schedule'" in err
    assert not (tmp_path / "warehouse" / "raw").exists()  # nothing was fetched, nothing written


def test_the_real_file_and_a_round_trip_copy_are_valid(tmp_path, monkeypatch, capsys, sources_document):
    path = write_sources(tmp_path / "copy.yml", sources_document)
    status, out, _ = run_validate(tmp_path, monkeypatch, capsys, path.read_text())
    assert status == 0 and "all valid" in out
