"""A live Fingertips ICB release (classic API CSV) beside the bundled FingertipsNext JSON releases.

The recipe of docs/sources/fingertips.md ("Add a live ICB / Sub-ICB indicator"), followed in a test
sources.yml: a NON-archived release whose url is the classic API request for ICBs (area type 221),
with ``format: csv`` and ``parser: fingertips_classic_csv``. Its bundled snapshot is a SYNTHETIC CSV
(scripts/generate_synthetic_fingertips_csv.py: real ICB codes and names, random values), served on
127.0.0.1 by the project's snapshot server in offline mode, then fetched, parsed, validated with the
real ``fingertips`` GX suite and loaded into ``raw.fingertips`` with the three real JSON releases.
"""

import importlib.util

import duckdb
import pytest

from orchestration.ingest import fetch_source, load_source, validate_source
from orchestration.settings import load_settings
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT, write_sources

_spec = importlib.util.spec_from_file_location(
    "generate_synthetic_fingertips_csv", PROJECT_ROOT / "scripts" / "generate_synthetic_fingertips_csv.py"
)
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

INDICATOR = "90000"
LIVE_URL = (
    "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
    f"?indicator_ids={INDICATOR}&child_area_type_id=221&parent_area_type_id=15"
)


@pytest.fixture()
def classic_setup(tmp_path, sources_document):
    snapshot = generator.generate(
        tmp_path / "bundle" / "fingertips" / f"{INDICATOR}_icb.csv",
        indicator=int(INDICATOR),
        level="icb",
        years=3,
        seed=4,
    )
    fingertips = next(s for s in sources_document["sources"] if s["id"] == "fingertips")
    fingertips["indicators"].append(INDICATOR)
    fingertips["releases"].append(
        {
            "release": f"{INDICATOR}-icb",
            "indicator": INDICATOR,
            "format": "csv",
            "parser": "fingertips_classic_csv",
            "url": LIVE_URL,
            "snapshot": str(snapshot),
            "period_start": "2021-04-01",
            "period_end": "2024-03-31",
            "period_label": "2021/22 to 2023/24",
        }
    )
    sources_file = write_sources(tmp_path / "sources.yml", {"schema_version": 1, "sources": [fingertips]})
    settings = load_settings(
        {
            "AUDIT_INSIGHT_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            "AUDIT_INSIGHT_SOURCES_FILE": str(sources_file),
            "AUDIT_INSIGHT_MODE": "offline",
            "AUDIT_INSIGHT_MAX_RETRIES": "0",
        }
    )
    config = load_sources(sources_file, PROJECT_ROOT)
    return config, settings


def test_live_icb_release_is_served_on_loopback_parsed_validated_and_loaded(classic_setup):
    config, settings = classic_setup
    source = config.by_id("fingertips")
    release = source.release_by_label(f"{INDICATOR}-icb")
    assert not release.archived and source.parser_of(release) == "fingertips_classic_csv"
    assert source.format_of(release) == "csv"

    fetched = fetch_source(source, config, settings)
    classic = next(result for result in fetched if result.release == release.release)
    assert classic.url_redacted.startswith("http://127.0.0.1:")  # offline: the snapshot server
    assert classic.raw_path.suffix == ".csv"

    validation = validate_source(source, fetched, settings)
    assert validation.success, validation.failures
    frames = {item.fetch.release: item.frame for item in validation.files}
    assert {label: len(frame) for label, frame in frames.items()} == {
        "41101-london-region": 33,
        "41101-london-region-by-sex": 33,
        "383-practice-a84022": 13,
        f"{INDICATOR}-icb": 3 * (5 + 42 * 3),  # years x (England 3 sexes + 2 quintiles, 42 ICBs x 3 sexes)
    }
    assert list(frames[f"{INDICATOR}-icb"].columns) == list(frames["41101-london-region"].columns)

    load_source(source, validation, settings)
    with duckdb.connect(str(settings.build_database), read_only=True) as con:
        icb = con.execute(
            """
            select count(*), count(distinct area_code), count(lower_ci), count(upper_ci),
                   count(*) filter (where benchmark_area_code = 'E92000001' and benchmark_value is not null)
            from raw.fingertips
            where _release = ? and area_code like 'E54%'
            """,
            [release.release],
        ).fetchone()
        outcomes = dict(
            con.execute(
                "select benchmark_outcome, count(*) from raw.fingertips "
                "where _release = ? and area_code like 'E54%' group by 1",
                [release.release],
            ).fetchall()
        )
        suppressed = con.execute(
            "select value, lower_ci, upper_ci, count, benchmark_outcome from raw.fingertips "
            "where _release = ? and benchmark_outcome = 'NotCompared'",
            [release.release],
        ).fetchall()
        json_rows = con.execute(
            "select count(*) from raw.fingertips where _release <> ?", [release.release]
        ).fetchone()[0]
    rows, areas, lower, upper, compared = icb
    assert (rows, areas) == (378, 42)
    assert lower == upper == rows - 3  # the three suppressed rows (one ICB, Female, each year) have none
    assert compared == rows  # every ICB row compared with England, with England's value beside it
    assert set(outcomes) == {"Better", "Similar", "Worse", "NotCompared"} and outcomes["NotCompared"] == 3
    assert suppressed == [(None, None, None, None, "NotCompared")] * 3  # never 0
    assert json_rows == 33 + 33 + 13  # the real JSON releases load beside it


def test_published_limits_and_comparisons_survive_into_the_raw_table(classic_setup):
    config, settings = classic_setup
    source = config.by_id("fingertips")
    release = source.release_by_label(f"{INDICATOR}-icb")
    fetched = fetch_source(source, config, settings)
    validation = validate_source(source, fetched, settings)
    load_source(source, validation, settings)
    snapshot_lines = (PROJECT_ROOT / release.snapshot).read_text(encoding="utf-8").splitlines()
    header = snapshot_lines[0].split(",")
    # a published row of the file, read by position from the CSV text (no quoted commas in these columns)
    line = next(
        n for n, text in enumerate(snapshot_lines, start=1) if ",E54000027," in text and ",Male," in text
    )
    cells = snapshot_lines[line - 1].split('"')[-1].split(",")  # after the quoted indicator name
    by_name = dict(zip(header[2:], cells[1:], strict=True))
    with duckdb.connect(str(settings.build_database), read_only=True) as con:
        loaded = con.execute(
            "select value, lower_ci, upper_ci, count, benchmark_outcome, trend from raw.fingertips "
            "where _release = ? and source_row = ?",
            [release.release, line],
        ).fetchone()
    assert loaded == (
        float(by_name["Value"]),
        float(by_name["Lower CI 95.0 limit"]),
        float(by_name["Upper CI 95.0 limit"]),
        float(by_name["Count"]),
        by_name["Compared to England value or percentiles"],
        by_name["Recent Trend"],
    )
