"""The SYNTHETIC national set's provider-level files (scripts/generate_synthetic_national.py).

The small preset is generated once into a temporary directory; every A&E, RTT and CWT file must
parse with the project's own parser for its source (as the generated sources.yml declares it) and
pass the source's real Great Expectations suite, keep the real published format, use real provider
codes that map to ICBs, hold the invariants the dbt models test, and be reproducible from the seed.
"""

import csv
import importlib.util
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from orchestration.parsers import cwt as cwt_parser
from orchestration.parsers import parse_file
from orchestration.parsers import rtt as rtt_parser
from orchestration.sources import load_sources
from orchestration.validation.gx_suites import load_suite, validate_frame
from tests.conftest import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location(
    "generate_synthetic_national", PROJECT_ROOT / "scripts" / "generate_synthetic_national.py"
)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

SEED = 20261126
SMALL = gen.PRESETS["small"]
MONTHS = gen.month_starts(SMALL["months"])
SOURCES = gen.PROVIDER_SOURCES  # ae_monthly, rtt, cwt_provider
FILES = [(source_id, i) for source_id in SOURCES for i in range(len(MONTHS))]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic_small")
    summary = gen.generate(out, seed=SEED, threads=2, **SMALL)
    return out, summary


@pytest.fixture(scope="module")
def config(generated):
    out, _ = generated
    return load_sources(out / "sources.yml", PROJECT_ROOT)


@pytest.fixture(scope="module")
def parsed(config):
    """Every provider-level file parsed by its source's parser: {(source_id, month index): frame}."""
    frames = {}
    for source_id, i in FILES:
        source = config.by_id(source_id)
        release = source.releases[i]
        frames[source_id, i] = parse_file(
            source.parser_of(release), PROJECT_ROOT / release.snapshot, release, source_id
        )
    return frames


def _file(summary: dict, source_id: str, i: int) -> dict:
    return [f for f in summary["provider_files"] if f["source"] == source_id][i]


# --------------------------------------------------------------------------------------------------
# Invariants the dbt models and the suites rely on (each returns the problems found, [] when none)


def cwt_problems(frame: pd.DataFrame) -> list[str]:
    problems = []
    if ((frame.within_standard + frame.breaches) != frame.total_treated).any():
        problems.append("within + breaches != total")
    if (frame.total_treated < 0.5).any():
        problems.append("a total under half a pathway")
    views = duckdb.sql(
        """
        select org_code, standard, stage_route,
            sum(total_treated) filter (where treatment_modality = 'ALL MODALITIES') as by_cancer,
            sum(total_treated) filter (where cancer_type = 'ALL CANCERS') as by_modality,
            sum(within_standard) filter (where treatment_modality = 'ALL MODALITIES') as within_by_cancer,
            sum(within_standard) filter (where cancer_type = 'ALL CANCERS') as within_by_modality
        from frame where standard <> '28-day FDS' group by all
        """
    ).df()
    disagree = views[
        (views.by_cancer != views.by_modality) | (views.within_by_cancer != views.within_by_modality)
    ]
    if len(disagree):
        problems.append(f"{len(disagree)} provider x standard x stage views disagree")
    return problems


def rtt_problems(frame: pd.DataFrame) -> list[str]:
    groups = duckdb.sql(
        """
        select provider_org_code, commissioner_org_code, rtt_part_type,
            count(*) filter (where treatment_function_code = 'C_999') as totals,
            count(*) filter (where treatment_function_code <> 'C_999') as functions,
            arg_max(treatment_function_code, source_row) as last_function,
            sum(total_all) filter (where treatment_function_code = 'C_999') as total_all,
            sum(total_all) filter (where treatment_function_code <> 'C_999') as total_all_summed,
            sum(waits_over_52_weeks) filter (where treatment_function_code = 'C_999') as waits,
            sum(waits_over_52_weeks) filter (where treatment_function_code <> 'C_999') as waits_summed
        from frame group by all
        """
    ).df()
    problems = []
    if ((groups.totals != 1) | (groups.functions < 1) | (groups.last_function != "C_999")).any():
        problems.append("a group without exactly one closing C_999 row")
    if (groups.total_all != groups.total_all_summed).any():
        problems.append("a C_999 Total All that is not the sum of its group")
    if not groups.waits.fillna(-1).equals(groups.waits_summed.fillna(-1)):
        problems.append("C_999 waits over 52 weeks that are not the sum of its group")
    if (frame.total_all <= 0).any():
        problems.append("a row without a pathway")
    return problems


def ae_problems(frame: pd.DataFrame) -> list[str]:
    counts = [
        c for c in frame.columns if c.startswith(("attendances", "over_4hrs", "dta", "emergency", "other"))
    ]
    total = frame[frame.is_total_row]
    providers = frame[~frame.is_total_row]
    problems = []
    if len(total) != 1 or total.index[0] != frame.index[-1]:
        problems.append("not exactly one TOTAL row, last")
    elif (providers[counts].sum() != total[counts].iloc[0]).any():
        problems.append("the TOTAL row is not the sum of the providers")
    if (
        providers.dta_wait_4_12_hrs + providers.dta_wait_12_plus_hrs > providers.emergency_admissions_type_1
    ).any():
        problems.append("DTA waits above type 1 emergency admissions")
    return problems


PROBLEMS = {"ae_monthly": ae_problems, "rtt": rtt_problems, "cwt_provider": cwt_problems}


# --------------------------------------------------------------------------------------------------


def test_generated_sources_file_loads_and_declares_the_synthetic_releases(generated, config):
    out, _ = generated
    real = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    for source_id in (*SOURCES, "cvdprevent"):
        source = config.by_id(source_id)
        assert all(r.release.startswith("synthetic-") and r.archived for r in source.releases)
        assert all("SYNTHETIC" in r.note for r in source.releases)
        assert all(
            Path(r.snapshot).is_relative_to(out) and Path(r.snapshot).is_file() for r in source.releases
        )
        assert all("SYNTHETIC" in Path(r.snapshot).name for r in source.releases)
        assert not {r.snapshot for r in source.releases} & {
            r.snapshot for r in real.by_id(source_id).releases
        }
    for source_id in SOURCES:
        releases = config.by_id(source_id).releases
        assert [r.release for r in releases] == [f"synthetic-{m:%Y-%m}" for m in MONTHS]
        assert [r.period_start for r in releases] == MONTHS
        assert all("SYNTHETIC" in r.period_label for r in releases)
    # RTT is the published CSV (a per-release format beside the bundled xlsb); the parser picks by suffix
    assert config.by_id("rtt").format == "xlsb"
    assert {config.by_id("rtt").format_of(r) for r in config.by_id("rtt").releases} == {"csv"}
    assert {config.by_id("cwt_provider").format_of(r) for r in config.by_id("cwt_provider").releases} == {
        "xlsx"
    }
    # every other source keeps its real releases
    for source in real.sources:
        if source.id not in (*SOURCES, "cvdprevent"):
            assert config.by_id(source.id) == source


@pytest.mark.parametrize(("source_id", "i"), FILES, ids=[f"{s}-{i}" for s, i in FILES])
def test_each_file_parses_with_its_parser_and_passes_its_suite(generated, config, parsed, source_id, i):
    _, summary = generated
    frame = parsed[source_id, i]
    expected = _file(summary, source_id, i)
    assert Path(expected["file"]).name == Path(config.by_id(source_id).releases[i].snapshot).name
    assert len(frame) == expected["rows"] > 0
    suite = load_suite(PROJECT_ROOT / "expectations", config.by_id(source_id).expectation_suite)
    report = validate_frame(frame, suite)
    assert report.success, report.summary(source_id, expected["file"])
    assert report.evaluated == len(suite.expectations)
    assert PROBLEMS[source_id](frame) == []


def test_the_invariant_checks_catch_broken_files(parsed):
    """The checks above can fail: a broken frame of each source is reported."""
    ae = parsed["ae_monthly", 0].copy()
    ae.loc[0, "attendances_type_1"] += 1
    assert ae_problems(ae) == ["the TOTAL row is not the sum of the providers"]
    rtt = parsed["rtt", 0]
    assert rtt_problems(rtt[rtt.treatment_function_code != "C_999"].reset_index(drop=True)) == [
        "a group without exactly one closing C_999 row",
        "a C_999 Total All that is not the sum of its group",
        "C_999 waits over 52 weeks that are not the sum of its group",
    ]
    cwt = parsed["cwt_provider", 0]
    modality_row = cwt.index[cwt.cancer_type == "ALL CANCERS"][0]
    assert cwt_problems(cwt.drop(index=modality_row)) == ["1 provider x standard x stage views disagree"]
    broken = parsed["ae_monthly", 1].copy()
    broken.loc[3, "over_4hrs_type_1"] = broken.loc[3, "attendances_type_1"] + 1
    report = validate_frame(broken, load_suite(PROJECT_ROOT / "expectations", "ae_monthly"))
    assert not report.success


def test_ae_files_keep_the_real_csv_format(generated, parsed):
    out, summary = generated
    real_header = gen.AE_REAL.read_bytes().split(b"\r\n", 1)[0]
    for i, month in enumerate(MONTHS):
        data = (out / _file(summary, "ae_monthly", i)["file"]).read_bytes()
        lines = data.split(b"\r\n")
        assert lines[0] == real_header  # same 22 columns, the publisher's "4-12 hs" typo included
        assert lines[-1] == b"" and b"\n" not in data.replace(b"\r\n", b"")  # CRLF, final line ended
        assert not data.startswith(b"\xef\xbb\xbf")
        assert lines[-2].startswith(b"TOTAL,TOTAL,TOTAL,TOTAL,")
        frame = parsed["ae_monthly", i]
        providers = frame[~frame.is_total_row]
        assert set(frame.period_label) == {
            f"MSitAE-{month:%B}-{month.year}".replace(f"{month:%B}", f"{month:%B}".upper())
        }
        assert providers.org_name.str.endswith("(SYNTHETIC)").all()
        assert providers.parent_org.str.startswith("NHS ENGLAND ").all()
        assert (providers.over_4hrs_type_1 <= providers.attendances_type_1).all()


def test_rtt_files_keep_the_real_full_extract_csv_format(generated, parsed):
    out, summary = generated
    bands = [f"Gt {w:02d} To {w + 1:02d} Weeks SUM 1" for w in range(104)] + ["Gt 104 Weeks SUM 1"]
    known = {alias for column in rtt_parser.COLUMNS for alias in column.aliases} | set(rtt_parser.IGNORED)
    for i, month in enumerate(MONTHS):
        path = out / _file(summary, "rtt", i)["file"]
        text = path.read_bytes().decode("utf-8")  # keep the CRLF line ends
        header = next(csv.reader(io.StringIO(text)))
        assert header == [c.aliases[0] for c in rtt_parser.TEXT_COLUMNS] + bands + [
            "Total",
            "Patients with unknown clock start date",
            "Total All",
        ]
        assert len(header) == 121 and set(header) <= known
        assert text.count("\r\n") == len(parsed["rtt", i]) + 1
        con = duckdb.connect()
        con.read_csv(str(path), header=True, all_varchar=True).create_view("raw")
        checks = con.execute(
            f"""
            select
                count(*) filter (where "RTT Part Type" = 'Part_3' and coalesce({" , ".join(f'"{b}"' for b in bands)}) is not null),
                count(*) filter (where "RTT Part Type" in ('Part_2', 'Part_2A', 'Part_3') and "Total" is not null),
                count(*) filter (where "RTT Part Type" in ('Part_1A', 'Part_1B')
                    and "Total"::bigint != {" + ".join(f'"{b}"::bigint' for b in bands)}),
                count(*) filter (where "Period" != 'RTT-{month:%B}-{month.year}'),
                count(*) filter (where not "Provider Org Name" like '%(SYNTHETIC)')
            from raw
            """  # noqa: S608 (the real band names)
        ).fetchone()
        assert checks == (0, 0, 0, 0, 0)
        # Part_2A (with a decision to admit) is a subset of Part_2, band by band
        over = con.execute(
            f"""
            select count(*) from raw two join raw dta using ("Provider Org Code", "Commissioner Org Code",
                "Treatment Function Code")
            where two."RTT Part Type" = 'Part_2' and dta."RTT Part Type" = 'Part_2A'
                and ({" or ".join(f'dta."{b}"::bigint > two."{b}"::bigint' for b in bands)})
            """  # noqa: S608 (the real band names)
        ).fetchone()[0]
        assert over == 0
        frame = parsed["rtt", i]
        assert frame.total.isna().sum() == (~frame.rtt_part_type.isin(["Part_1A", "Part_1B"])).sum()
        assert frame.commissioner_parent_org_code.isna().any()  # hubs and NONC, as in the real extract
        assert (frame.waits_over_52_weeks.fillna(0) > 0).any()


def test_cwt_files_keep_the_real_provider_extract_workbook_format(generated, parsed):
    out, summary = generated
    for i, month in enumerate(MONTHS):
        path = out / _file(summary, "cwt_provider", i)["file"]
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            assert workbook.sheetnames == [cwt_parser.PROVIDER_LAYOUT.sheet]
            sheet = workbook[cwt_parser.PROVIDER_LAYOUT.sheet]
            header, first = list(sheet.iter_rows(min_row=1, max_row=2))
            assert [c.value for c in header] == [c.aliases[0] for c in cwt_parser.PROVIDER_LAYOUT.columns]
            assert first[0].value == datetime(month.year, month.month, 1)
            assert first[0].number_format == "mmm-yy"  # built-in format 17, as in the real extract
            assert "SYNTHETIC" in workbook.properties.title
        finally:
            workbook.close()
        with zipfile.ZipFile(path) as archive:
            assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
            assert "<si><t/></si>" in archive.read("xl/sharedStrings.xml").decode()  # blank FDS modality
        frame = parsed["cwt_provider", i]
        assert set(frame.period_month) == {datetime(month.year, month.month, 1)}
        assert set(frame.financial_year) == {cwt_parser.financial_year(month)}
        assert frame[frame.standard == "28-day FDS"].treatment_modality.isna().all()
        assert (frame.total_treated % 1 == 0.5).any()  # shared 62-day pathways: halves
        ordered = frame.sort_values(["standard", "stage_route", "treatment_modality", "cancer_type", "org_code"],
                                    na_position="first")  # fmt: skip
        assert ordered.source_row.tolist() == frame.source_row.tolist()


def test_providers_are_real_codes_placed_on_an_icb(parsed, config):
    con = duckdb.connect()
    gen.load_reference(con)
    etr = dict(con.execute("select code, icb from ref_etr").fetchall())
    ons = dict(con.execute("select icb, icb_name from ref_icb").fetchall())
    sub_icbs = dict(con.execute("select code, parent from ref_rtt_commissioners").fetchall())
    real_ae = pd.read_csv(gen.AE_REAL, dtype=str)
    for i in range(len(MONTHS)):
        ae = parsed["ae_monthly", i]
        providers = ae[~ae.is_total_row]
        assert set(providers.org_code) <= set(real_ae["Org Code"])
        assert providers.org_code.is_unique
        unmapped = (~providers.org_code.isin(etr)).mean()
        assert 0 < unmapped < config.by_id("ae_monthly").max_unmapped_share / 2
        rtt = parsed["rtt", i]
        assert rtt.provider_org_code.isin(etr).all()
        assert (rtt.provider_org_code.map(etr) == rtt.provider_parent_org_code).all()
        assert rtt.provider_parent_org_code.isin(ons).all()
        assert (rtt.provider_parent_name == rtt.provider_parent_org_code.map(ons)).all()
        assert rtt.provider_org_code.nunique() == SMALL["rtt_providers"]
        assert rtt.commissioner_org_code.isin(sub_icbs).all()
        placed = rtt.commissioner_parent_org_code.notna()
        assert (
            rtt.commissioner_org_code[placed].map(sub_icbs) == rtt.commissioner_parent_org_code[placed]
        ).all()
        cwt = parsed["cwt_provider", i]
        assert cwt.org_code.isin(etr).all()
        assert cwt.org_code.nunique() > 100  # the acute and specialist cancer trusts


def test_same_seed_same_bytes_and_another_seed_other_values(generated, tmp_path):
    out, summary = generated
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    again = gen.write_provider_files(con, tmp_path / "again", SMALL["months"], SEED, SMALL["rtt_providers"])
    other = gen.write_provider_files(
        con, tmp_path / "other", SMALL["months"], SEED + 1, SMALL["rtt_providers"]
    )
    for written in summary["provider_files"]:
        name = written["file"]
        first = (out / name).read_bytes()
        assert (tmp_path / "again" / name).read_bytes() == first
        assert (tmp_path / "other" / name).read_bytes() != first
    for source_id in SOURCES:
        assert [f["file"] for f in again[source_id]["files"]] == [
            f["file"] for f in other[source_id]["files"]
        ]
    # another seed changes the values, not the providers or the layout
    release = load_sources(out / "sources.yml", PROJECT_ROOT).by_id("ae_monthly").releases[0]
    mine = parse_file("ae_monthly", out / summary["provider_files"][0]["file"], release, "ae_monthly")
    theirs = parse_file(
        "ae_monthly", tmp_path / "other" / summary["provider_files"][0]["file"], release, "ae_monthly"
    )
    assert mine.org_code.tolist() == theirs.org_code.tolist()
    assert (mine.attendances_type_1 != theirs.attendances_type_1).sum() > len(mine) / 3


def test_summary_counts_every_file_and_keeps_the_benchmark_keys(generated):
    out, summary = generated
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == summary
    # the keys benchmarks/run.py reads keep their CVDPREVENT meaning
    assert summary["rows"] == SMALL["practices"] * SMALL["indicators"] * 7 * SMALL["periods"]
    assert summary["periods"] == SMALL["periods"] and len(summary["files"]) == SMALL["periods"]
    assert summary["bytes"] == sum(f["bytes"] for f in summary["files"])
    assert {"seed", "practices", "indicators", "breakdowns", "seconds"} <= set(summary)
    provider = summary["provider_sources"]
    assert set(provider) == set(SOURCES)
    for source_id in SOURCES:
        files = [f for f in summary["provider_files"] if f["source"] == source_id]
        assert provider[source_id]["files"] == len(files) == SMALL["months"]
        assert provider[source_id]["rows"] == sum(f["rows"] for f in files)
        assert provider[source_id]["bytes"] == sum((out / f["file"]).stat().st_size for f in files)
    assert summary["total_files"] == SMALL["periods"] + 3 * SMALL["months"]
    assert summary["total_rows"] == summary["rows"] + sum(p["rows"] for p in provider.values())
    assert summary["total_bytes"] == summary["bytes"] + sum(p["bytes"] for p in provider.values())
    provenance = (out / "PROVENANCE.md").read_text()
    assert provenance.startswith("# SYNTHETIC benchmark data")
    for source_id in SOURCES:
        assert f"## {source_id} " in provenance
        assert f"{provider[source_id]['rows']:,} rows" in provenance
