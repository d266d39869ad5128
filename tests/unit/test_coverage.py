"""The unmapped-share measure behind each source's blocking coverage check, on a real DuckDB file."""

import duckdb

from orchestration.coverage import UnmappedShare, measure_unmapped_share


def _fact_table(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_indicator_values "
            "(source_id varchar, org_level varchar, icb_code varchar, is_derived boolean)"
        )
        con.executemany("insert into marts.fct_indicator_values values (?, ?, ?, ?)", rows)


def test_share_counts_published_rows_at_icb_level_and_below_only(tmp_path):
    database = tmp_path / "build.duckdb"
    _fact_table(
        database,
        [
            ("shmi", "trust", "QVV", False),
            ("shmi", "trust", None, False),  # unmapped
            ("shmi", "trust", "QOP", False),
            ("shmi", "trust", "QMF", False),
            ("shmi", "country", None, False),  # England: never counted
            ("shmi", "nhs_region", None, False),  # a publisher's region row sits above any ICB
            ("shmi", "icb", "QVV", True),  # derived: never counted
            ("ae_monthly", "trust", None, False),  # another source
        ],
    )
    measured = measure_unmapped_share(database, "shmi", 0.3)
    assert (measured.published_rows, measured.unmapped_rows) == (4, 1)
    assert measured.share == 0.25
    assert measured.passed
    assert not measure_unmapped_share(database, "shmi", 0.2).passed


def test_description_names_source_share_limit_and_where_to_look():
    text = UnmappedShare("ae_monthly", 200, 60, 0.25).describe()
    assert "ae_monthly: 60 of 200 published rows (30.0%) have no ICB, above the 25.0%" in text
    assert "marts.unmapped_organisations" in text
    assert UnmappedShare("x", 0, 0, 0.0).passed  # a source with no rows below England has nothing unmapped
