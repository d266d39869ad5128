"""The CVDPREVENT API walk over real loopback HTTP, on SYNTHETIC payloads in the documented shape."""

import json

import duckdb
import pytest

from orchestration.fetch.store import read_state, sha256_of
from orchestration.ingest import IngestError, current_files, fetch_source, load_source, validate_source
from orchestration.release_catalogue import release_rows
from orchestration.settings import load_settings
from orchestration.source_check import check_sources
from orchestration.sources import SourceConfigError, load_sources
from tests.conftest import PROJECT_ROOT, write_sources
from tests.support.cvdprevent_api import (
    generate_payloads,
    manifest,
    scripted,
    serve_payloads,
    walk_sources_document,
)
from tests.support.http_server import LoopbackServer, Scripted

LATEST = "to-december-2025"
EARLIER = "to-september-2025"


@pytest.fixture
def payloads(tmp_path):
    return generate_payloads(tmp_path / "api", practices=6)


@pytest.fixture
def api(payloads):
    with LoopbackServer() as server:
        serve_payloads(server, payloads)
        yield server


def _setup(tmp_path, sources_document, base_url, mode="offline", **api):
    sources_file = write_sources(
        tmp_path / "sources.yml", walk_sources_document(sources_document, base_url, **api)
    )
    settings = load_settings(
        {
            "AUDIT_INSIGHT_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            "AUDIT_INSIGHT_SOURCES_FILE": str(sources_file),
            "AUDIT_INSIGHT_MODE": mode,
            "AUDIT_INSIGHT_MAX_RETRIES": "0",
        }
    )
    config = load_sources(sources_file, PROJECT_ROOT)
    return config, config.by_id("cvdprevent"), settings


def _rows_in(payloads, period_id: int) -> int:
    total = 0
    for request, name in manifest(payloads).items():
        if "rawDataJSON" in request and f"timePeriodID={period_id}&" in request:
            total += len(json.loads((payloads / name).read_text())["indicatorRawData"])
    return total


def test_walk_reads_the_catalogue_from_the_api_and_stores_every_response(
    tmp_path, sources_document, payloads, api
):
    config, source, settings = _setup(tmp_path, sources_document, api.base_url)
    results = fetch_source(source, config, settings)

    by_release = {r.release: r for r in results}
    assert list(by_release) == ["CVDP001HYP-icb-2026-03", EARLIER, LATEST]  # the bundled cut, then the walk
    assert {r.outcome for r in results} == {"downloaded"}
    # periods, levels and indicators came from the API: its ids (901+, 101+, 9001) were asked for,
    # the outcomes period (990) was not
    asked = {request.path for request in api.requests}
    assert "/timePeriod" in asked
    assert {p for p in asked if p.startswith("/area/systemLevel")} == {
        "/area/systemLevel?timePeriodID=901",
        "/area/systemLevel?timePeriodID=902",
    }
    assert not any("timePeriodID=990" in p for p in asked)
    lists = {p for p in asked if p.startswith("/indicator/list")}
    assert {f"/indicator/list?timePeriodID=902&systemLevelID={level}" for level in range(101, 107)} <= lists
    assert sum("/indicator/9001/rawDataJSON" in p for p in asked) == 12  # 2 periods x 6 levels

    # every response is in the raw store under its sha, and each walked period is remembered
    source_dir = settings.raw_dir / "cvdprevent"
    state = read_state(source_dir)
    responses = {key: entry for key, entry in state.items() if key.startswith("api.")}
    assert len(responses) == 1 + 2 + 12 + 12  # periods, levels per period, indicator lists, data
    for entry in responses.values():
        assert sha256_of(source_dir / entry["raw_file"]) == entry["sha256"]
    latest = state[LATEST]
    assert latest["walked"] and latest["period_label"] == "To December 2025"
    assert (latest["period_start"], latest["period_end"]) == ("2025-01-01", "2025-12-31")

    # the period's combined file holds every row of its responses, and the source's parser + suite take it
    [(frame_rows,)] = duckdb.execute(
        "select count(*) from read_csv(?)", [str(by_release[LATEST].data_path)]
    ).fetchall()
    assert frame_rows == _rows_in(payloads, 902)
    current = current_files(source, settings)
    assert [f.release for f in current] == ["CVDP001HYP-icb-2026-03", EARLIER, LATEST]
    validation = validate_source(source, current, settings)
    assert validation.success, validation.failures
    frame = next(f.frame for f in validation.files if f.fetch.release == LATEST)
    assert len(frame) == frame_rows
    assert {"U", "E"} <= {code[0] for code in frame["area_code"]}  # PCNs and ONS areas in one file
    assert frame["indicator_name"].str.startswith("SYNTHETIC").all()
    loaded = load_source(source, validation, settings)
    assert sum(r.rows for r in loaded) == 56 + frame_rows + _rows_in(payloads, 901)

    # the release catalogue (dbt's revision order) lists the walked periods after the declared release
    rows = [row for row in release_rows(config, settings) if row[0] == "cvdprevent"]
    assert [(row[1], row[2], row[5]) for row in rows] == [
        ("CVDP001HYP-icb-2026-03", 1, "To March 2026"),
        (EARLIER, 2, "To September 2025"),
        (LATEST, 3, "To December 2025"),
    ]
    with duckdb.connect(str(settings.build_database), read_only=True) as con:
        logged = con.execute("select count(*) from meta.fetch_log where source_id = 'cvdprevent'").fetchone()[
            0
        ]
    assert logged == len(responses) + 1  # one attempt per response, plus the bundled release


def test_a_second_walk_of_unchanged_responses_reloads_nothing(tmp_path, sources_document, api):
    config, source, settings = _setup(tmp_path, sources_document, api.base_url)
    first = fetch_source(source, config, settings)
    load_source(source, validate_source(source, first, settings), settings)

    second = fetch_source(source, config, settings)
    assert {r.release: r.outcome for r in second if r.release.startswith("to-")} == {
        EARLIER: "not_modified",
        LATEST: "not_modified",
    }
    validation = validate_source(source, current_files(source, settings), settings)
    assert all(item.frame is None for item in validation.files)  # every file already loaded
    assert all(r.skipped for r in load_source(source, validation, settings))
    assert [c.changed for c in check_sources(config, settings)] == [False]


def test_a_changed_response_for_a_walked_period_is_a_revision(tmp_path, sources_document, payloads, api):
    config, source, settings = _setup(tmp_path, sources_document, api.base_url)
    first = {r.release: r for r in fetch_source(source, config, settings)}

    request = "/indicator/9001/rawDataJSON?timePeriodID=902&systemLevelID=103"
    document = json.loads((payloads / manifest(payloads)[request]).read_text())
    document["indicatorRawData"][0]["Value"] = 42.42
    api.script(request, scripted(json.dumps(document).encode()))

    second = {r.release: r for r in fetch_source(source, config, settings)}
    assert second[LATEST].outcome == "downloaded" and second[LATEST].sha256 != first[LATEST].sha256
    assert second[EARLIER].outcome == "not_modified"
    kept = sorted(p.name for p in (settings.raw_dir / "cvdprevent").glob(f"{LATEST}_*.csv"))
    assert len(kept) == 2  # the first file of the period is kept beside its revision
    checks = check_sources(config, settings)
    assert not checks[0].changed  # and a check right after finds nothing new


def test_a_bad_row_names_the_source_the_response_file_the_row_and_the_field(
    tmp_path, sources_document, payloads, api
):
    config, source, settings = _setup(tmp_path, sources_document, api.base_url)
    request = "/indicator/9001/rawDataJSON?timePeriodID=901&systemLevelID=104"
    document = json.loads((payloads / manifest(payloads)[request]).read_text())
    document["indicatorRawData"][2]["Numerator"] = "n/a"
    api.script(request, scripted(json.dumps(document).encode()))

    with pytest.raises(IngestError) as error:
        fetch_source(source, config, settings)
    message = str(error.value)
    assert message.startswith("cvdprevent: api.raw.t901.s104.i9001_")
    assert "row 3, column 'Numerator'" in message and "expected a number" in message


def test_a_bad_code_in_a_walked_period_fails_validation_naming_file_row_and_column(
    tmp_path, sources_document, payloads, api
):
    config, source, settings = _setup(tmp_path, sources_document, api.base_url, time_periods={"latest": 1})
    request = "/indicator/9001/rawDataJSON?timePeriodID=902&systemLevelID=101"
    document = json.loads((payloads / manifest(payloads)[request]).read_text())
    document["indicatorRawData"][1]["AreaCode"] = "ENGLAND"
    api.script(request, scripted(json.dumps(document).encode()))
    results = fetch_source(source, config, settings)
    validation = validate_source(source, results, settings)
    assert not validation.success
    assert f"cvdprevent: {LATEST}_" in validation.failures[0]
    assert "row 3, column 'AreaCode'" in validation.failures[0]  # header is row 1


def test_periods_chosen_by_name_and_levels_by_name(tmp_path, sources_document, api):
    config, source, settings = _setup(
        tmp_path,
        sources_document,
        api.base_url,
        time_periods={"names": ["To September 2025"]},
        system_levels=["ICB", "practice"],
    )
    results = fetch_source(source, config, settings)
    assert [r.release for r in results] == ["CVDP001HYP-icb-2026-03", EARLIER]
    levels = {p.rsplit("=", 1)[-1] for p in (r.path for r in api.requests) if "rawDataJSON" in p}
    assert levels == {"103", "106"}


def test_a_redirect_to_a_host_not_allowed_is_refused(tmp_path, sources_document, api):
    with LoopbackServer(host="127.0.0.2") as elsewhere:
        elsewhere.script("/timePeriod", Scripted.ok(b"{}", content_type="application/json"))
        api.script("/timePeriod", Scripted.redirect(elsewhere.url("/timePeriod")))
        config, source, settings = _setup(tmp_path, sources_document, api.base_url)
        with pytest.raises(IngestError, match="refused"):
            fetch_source(source, config, settings)
        assert elsewhere.requests == []


def test_live_mode_fetches_https_only(tmp_path, sources_document, api):
    config, source, settings = _setup(tmp_path, sources_document, api.base_url, mode="live")
    with pytest.raises(IngestError, match="only https"):
        fetch_source(source, config, settings)
    assert not any(r.path == "/timePeriod" for r in api.requests)


def test_offline_mode_does_not_walk_the_live_api(tmp_path, sources_document):
    config, source, settings = _setup(tmp_path, sources_document, "https://api.cvdprevent.nhs.uk")
    assert [r.release for r in fetch_source(source, config, settings)] == ["CVDP001HYP-icb-2026-03"]


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.example.org", "not in allowed_hosts"),
        ("http://api.cvdprevent.nhs.uk", "must use https"),
    ],
)
def test_the_api_base_url_is_checked_against_the_allow_list(tmp_path, sources_document, base_url, expected):
    with pytest.raises(SourceConfigError, match=expected):
        _setup(tmp_path, sources_document, base_url)
