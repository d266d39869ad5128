import time
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.cwt import (
    PROVIDER_LAYOUT,
    SUB_ICB_LAYOUT,
    financial_year,
    parse_cwt_provider,
    parse_cwt_sub_icb,
)
from tests.unit.parsers.helpers import PROJECT_ROOT, make_release, parsed, source

PROVIDER = "cwt_provider"
SUB_ICB = "cwt_sub_icb"
PROVISIONAL = "2023-04-to-2023-09-provisional"
OCTOBER = "2023-10"
SUB_ICB_RELEASE = "2023-04-to-2023-10"

PROVIDER_HEADER = [c.aliases[0] for c in PROVIDER_LAYOUT.columns]
SUB_ICB_HEADER = [c.aliases[0] for c in SUB_ICB_LAYOUT.columns]
OCT = datetime(2023, 10, 1)
FDS_ROW = [
    OCT,
    "2023/24",
    "OCT",
    "28-day FDS",
    "R0A",
    "URGENT SUSPECTED CANCER",
    "",
    "Suspected breast cancer",
    384,
    276,
    108,
]
COMBINED_ROW = [
    OCT,
    "2023/24",
    "OCT",
    "62-day Combined",
    "RGT",
    "Consultant Upgrade",
    "ALL MODALITIES",
    "Skin",
    2.5,
    1,
    1.5,
]
SUB_ICB_ROW = [OCT, "2023/24", "OCT", "28-day FDS", "00L", "", 508, 311, 197]


def _xlsx(tmp_path, name, rows, sheet=PROVIDER_LAYOUT.sheet):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def _provider(tmp_path, name, *rows, header=PROVIDER_HEADER):
    return parse_cwt_provider(_xlsx(tmp_path, name, [header, *rows]), make_release(), PROVIDER)


# --------------------------------------------------------------------------------------------------
# The real bundled extracts


def test_provisional_provider_extract():
    frame = parsed(PROVIDER, PROVISIONAL)
    assert tuple(frame.columns) == PROVIDER_LAYOUT.output_columns
    assert len(frame) == 51_509
    assert frame["source_row"].tolist() == list(range(2, 51_511))
    assert sorted(frame["period_month"].dt.strftime("%Y-%m").unique()) == [f"2023-0{m}" for m in range(4, 10)]
    assert frame["financial_year"].eq("2023/24").all()
    assert frame["org_code"].nunique() == 162
    first = frame.iloc[0]
    assert (first["standard"], first["org_code"], first["stage_route"]) == (
        "28-day FDS", "R1F", "BREAST SYMPTOMATIC, CANCER NOT SUSPECTED",
    )  # fmt: skip
    assert pd.isna(first["treatment_modality"])  # an empty cell in this file
    assert (first["total_treated"], first["within_standard"], first["breaches"]) == (47, 30, 17)
    last = frame.iloc[-1]
    assert (last["org_code"], last["cancer_type"], last["source_row"]) == ("RY2", "ALL CANCERS", 51_510)
    # the coarser tumour classification of the months before October 2023
    assert {"Urological", "Haematological", "Upper Gastrointestinal"} <= set(frame["cancer_type"])


def test_october_provider_extract_halves_and_blank_modality():
    frame = parsed(PROVIDER, OCTOBER)
    assert len(frame) == 9_912
    assert frame["period_month"].eq(pd.Timestamp("2023-10-01")).all()
    assert frame["org_code"].nunique() == 147
    fds = frame[frame["standard"] == "28-day FDS"]
    assert len(fds) == 1_935 and fds["treatment_modality"].isna().all()  # '' in this file
    rgt = frame.set_index(["org_code", "standard", "stage_route", "treatment_modality", "cancer_type"])
    row = rgt.loc[("RGT", "62-day Combined", "Consultant Upgrade", "ALL MODALITIES", "Skin")]
    assert (row["total_treated"], row["within_standard"], row["breaches"]) == (2.5, 1.0, 1.5)
    assert str(frame["total_treated"].dtype) == "Float64"
    assert (frame["total_treated"] == frame["within_standard"] + frame["breaches"]).all()
    assert {"Urological - Prostate", "Haematological - Lymphoma"} <= set(frame["cancer_type"])


@pytest.mark.parametrize("label", [PROVISIONAL, OCTOBER])
def test_31_and_62_day_rows_hold_two_views_of_the_same_pathways(label):
    """By cancer type (ALL MODALITIES) and by modality (ALL CANCERS) sum to the same: add one only."""
    frame = parsed(PROVIDER, label)
    combined = frame[frame["standard"] != "28-day FDS"]
    by_type = combined["treatment_modality"] == "ALL MODALITIES"
    by_modality = combined["cancer_type"] == "ALL CANCERS"
    assert not (by_type & by_modality).any() and (by_type | by_modality).all()
    keys = ["period_month", "org_code", "standard", "stage_route"]
    counts = ["total_treated", "within_standard"]
    left = combined[by_type].groupby(keys)[counts].sum()
    right = combined[by_modality].groupby(keys)[counts].sum()
    pd.testing.assert_frame_equal(left, right)


def test_sub_icb_extract_codes_unknown_and_hubs():
    frame = parsed(SUB_ICB, SUB_ICB_RELEASE)
    assert tuple(frame.columns) == SUB_ICB_LAYOUT.output_columns
    assert len(frame) == 7_127
    codes = set(frame["sub_icb_code"])
    assert len(codes) == 115
    assert {"UNKNOWN", "13Q", "14M", "14Q", "14R", "14T", "32T", "76A", "97T", "00L", "A3A8R"} <= codes
    assert frame.loc[frame["standard"] == "28-day FDS", "sub_category"].isna().all()
    first = frame.iloc[0]
    assert (first["sub_icb_code"], first["total"], first["within_standard"], first["source_row"]) == (
        "00L",
        508,
        311,
        2,
    )
    halves = frame[frame["total"] % 1 != 0]
    assert halves["sub_icb_code"].tolist() == ["UNKNOWN", "UNKNOWN"]
    assert halves["total"].tolist() == [76.5, 84.5]


def test_sub_icb_extract_adds_up_to_the_provider_extracts():
    """Every pathway is counted once in each file: the two add up to the same England totals."""
    sub_icb = parsed(SUB_ICB, SUB_ICB_RELEASE)
    providers = pd.concat([parsed(PROVIDER, PROVISIONAL), parsed(PROVIDER, OCTOBER)])
    one_view = providers[
        (providers["standard"] == "28-day FDS") | (providers["treatment_modality"] == "ALL MODALITIES")
    ]
    keys = ["period_month", "standard"]
    left = sub_icb.groupby(keys)[["total", "within_standard"]].sum()
    right = (
        one_view.groupby(keys)[["total_treated", "within_standard"]]
        .sum()
        .rename(columns={"total_treated": "total"})
    )
    pd.testing.assert_frame_equal(left, right)
    october_62 = left.loc[(pd.Timestamp("2023-10-01"), "62-day Combined")]
    assert (october_62["total"], october_62["within_standard"]) == (
        24_371.5,
        15_375.5,
    )  # national time series


def test_largest_extract_parses_quickly():
    release = source(PROVIDER).release_by_label(PROVISIONAL)
    started = time.perf_counter()
    frame = parse_cwt_provider(PROJECT_ROOT / release.snapshot, release, PROVIDER)
    assert len(frame) == 51_509
    assert time.perf_counter() - started < 20


def test_financial_year():
    assert financial_year(datetime(2023, 10, 1)) == "2023/24"
    assert financial_year(datetime(2024, 3, 1)) == "2023/24"
    assert financial_year(datetime(1999, 4, 1)) == "1999/00"


# --------------------------------------------------------------------------------------------------
# Small files


def test_inline_provider_file_with_blank_rows_and_leading_blank_row(tmp_path):
    path = _xlsx(tmp_path, "ok.xlsx", [[None], PROVIDER_HEADER, FDS_ROW, [None] * 11, COMBINED_ROW])
    frame = parse_cwt_provider(path, make_release(), PROVIDER)
    assert frame["source_row"].tolist() == [3, 5]
    assert pd.isna(frame.loc[0, "treatment_modality"])
    assert frame.loc[1, "breaches"] == 1.5
    assert frame.loc[0, "period_month"] == pd.Timestamp("2023-10-01")


def test_inline_sub_icb_file(tmp_path):
    unknown = [
        OCT,
        "2023/24",
        "OCT",
        "62-day Combined",
        "UNKNOWN",
        "62-day (Consultant Upgrade)",
        84.5,
        71.5,
        13,
    ]
    path = _xlsx(tmp_path, "sub.xlsx", [SUB_ICB_HEADER, SUB_ICB_ROW, unknown], sheet=SUB_ICB_LAYOUT.sheet)
    frame = parse_cwt_sub_icb(path, make_release(), SUB_ICB)
    assert frame["sub_icb_code"].tolist() == ["00L", "UNKNOWN"]
    assert pd.isna(frame.loc[0, "sub_category"]) and frame.loc[1, "total"] == 84.5


def test_renamed_column_names_the_expected_header(tmp_path):
    header = [name if name != "WITHIN STANDARD" else "WITHIN TARGET" for name in PROVIDER_HEADER]
    with pytest.raises(ParseError) as exc:
        _provider(tmp_path, "renamed.xlsx", FDS_ROW, header=header)
    assert exc.value.column == "WITHIN STANDARD" and exc.value.row == 1
    assert "'WITHIN TARGET'" in str(exc.value) and "renamed.xlsx" in str(exc.value)


def test_unexpected_named_column_is_an_error(tmp_path):
    with pytest.raises(ParseError, match="unexpected column 'PERFORMANCE'"):
        _provider(tmp_path, "extra.xlsx", [*FDS_ROW, 0.72], header=[*PROVIDER_HEADER, "PERFORMANCE"])


def test_value_outside_the_table_names_row_and_column(tmp_path):
    with pytest.raises(ParseError) as exc:
        _provider(tmp_path, "outside.xlsx", FDS_ROW, [*COMBINED_ROW, "note"])
    assert (exc.value.row, exc.value.column) == (3, "L")
    assert "'note'" in str(exc.value)


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (8, "many", "expected a number or a blank, found 'many'"),
        (9, "*", "found '*'"),  # CWT never suppresses: a marker means the publication changed
        (10, None, "expected a count (CWT publishes every count), found a blank"),
    ],
)
def test_bad_counts_name_row_and_column(tmp_path, position, value, message):
    row = list(COMBINED_ROW)
    row[position] = value
    with pytest.raises(ParseError) as exc:
        _provider(tmp_path, "counts.xlsx", FDS_ROW, row)
    assert exc.value.row == 3 and exc.value.column == PROVIDER_HEADER[position]
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("position", "value", "column", "message"),
    [
        (0, "2023-10-01", "PERIOD", "expected a date (first of a month), found '2023-10-01'"),
        (0, datetime(2023, 10, 15), "PERIOD", "expected the first day of a month, found 2023-10-15"),
        (1, "2024/25", "YEAR", "expected financial year '2023/24' for period 2023-10-01, found '2024/25'"),
        (2, "SEP", "MONTH", "expected month 'OCT' for period 2023-10-01, found 'SEP'"),
        (3, None, "STANDARD", "expected a value, found a blank"),
        (4, "r0a", "ORG CODE", "expected a provider ODS code"),
        (7, "", "CANCER TYPE", "expected a value, found a blank"),
        (5, 12, "STAGE/ROUTE", "expected text, found int 12"),
    ],
)
def test_bad_cells_name_row_and_column(tmp_path, position, value, column, message):
    row = list(FDS_ROW)
    row[position] = value
    with pytest.raises(ParseError) as exc:
        _provider(tmp_path, "cells.xlsx", COMBINED_ROW, row)
    assert (exc.value.row, exc.value.column) == (3, column)
    assert message in str(exc.value) and "cells.xlsx" in str(exc.value)


def test_bad_sub_icb_code(tmp_path):
    row = list(SUB_ICB_ROW)
    row[4] = "NOT KNOWN"
    path = _xlsx(tmp_path, "code.xlsx", [SUB_ICB_HEADER, row], sheet=SUB_ICB_LAYOUT.sheet)
    with pytest.raises(ParseError, match="Sub-ICB location ODS code .* found 'NOT KNOWN'"):
        parse_cwt_sub_icb(path, make_release(), SUB_ICB)


def test_missing_sheet_lists_the_sheets_found(tmp_path):
    path = _xlsx(tmp_path, "sheet.xlsx", [PROVIDER_HEADER, FDS_ROW], sheet="Provider Extract")
    with pytest.raises(ParseError, match="expected a sheet named 'CWT CRS Provider Extract', found sheets"):
        parse_cwt_provider(path, make_release(), PROVIDER)


def test_header_only_and_empty_sheet(tmp_path):
    with pytest.raises(ParseError, match="expected data rows below the header"):
        _provider(tmp_path, "header.xlsx")
    with pytest.raises(ParseError, match="expected a header row"):
        parse_cwt_provider(_xlsx(tmp_path, "blank.xlsx", []), make_release(), PROVIDER)


def test_empty_and_non_xlsx_files(write_file):
    with pytest.raises(ParseError, match="empty.xlsx: the file is empty"):
        parse_cwt_provider(write_file("empty.xlsx", b""), make_release(), PROVIDER)
    with pytest.raises(ParseError, match="text.xlsx: expected an xlsx workbook"):
        parse_cwt_provider(write_file("text.xlsx", "PERIOD,YEAR\n"), make_release(), PROVIDER)
