from datetime import date

import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.cvdprevent import OUTPUT_COLUMNS, parse_cvdprevent_raw_data, period_end_of
from tests.unit.parsers.helpers import make_release, parsed

SOURCE = "cvdprevent"
MARCH_2026 = make_release(
    period_start=date(2025, 4, 1), period_end=date(2026, 3, 31), period_label="To March 2026"
)
HEADER = (
    "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,HighestPriorityNotificationType,IndicatorCode,"
    "IndicatorName,IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
    "NotificationCount,Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote"
)
INDICATOR = "CVDP001HYP,Prevalence of GP recorded hypertension,Hypertension: Prevalence (CVDP001HYP)"
AREA = 'E54000024,"NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board"'


def _row(area=AREA, attribute="Persons", denominator="883210.0", factor="", lower="18.24", category="Persons",
         category_type="Sex", numerator="161800.0", period="To March 2026", upper="18.4", value="18.32",
         note="") -> str:  # fmt: skip
    return (
        f"{area},{attribute},{denominator},{factor},,{INDICATOR},{lower},{category},{category_type},0,"
        f"{numerator},{period},{upper},{value},{note}"
    )


def _csv(write_file, *rows: str, header: str = HEADER, name: str = "CVDP001HYP_icb.csv"):
    return write_file(name, "\n".join([header, *rows]) + "\n")


def _parse(path, release=MARCH_2026):
    return parse_cvdprevent_raw_data(path, release, SOURCE)


def _ci(row) -> tuple[float, float, float]:
    """(lower limit, value, upper limit) of one row."""
    return (row["lower_confidence_limit"], row["value"], row["upper_confidence_limit"])


@pytest.fixture(scope="module")
def march():
    return parsed(SOURCE, "CVDP001HYP-icb-2026-03")


def test_bundled_cut_parses_to_the_contract(march):
    assert tuple(march.columns) == OUTPUT_COLUMNS
    assert len(march) == 56  # the first 2 of 42 ICBs, 28 rows each
    assert march["source_row"].tolist() == list(range(2, 58))
    assert march.groupby("area_code").size().to_dict() == {"E54000024": 28, "E54000040": 28}
    assert set(march["indicator_code"]) == {"CVDP001HYP"}
    assert set(march["time_period_name"]) == {"To March 2026"}
    assert set(march["period_start"]) == {pd.Timestamp("2025-04-01")}
    assert set(march["period_end"]) == {pd.Timestamp("2026-03-31")}
    assert all(str(march[c].dtype) == "Float64" for c in OUTPUT_COLUMNS[8:13])


def test_bsw_overall_row(march):
    bsw = march[
        (march["area_code"] == "E54000040")
        & (march["metric_category_type_name"] == "Sex")
        & (march["metric_category_name"] == "Persons")
    ]
    assert len(bsw) == 1
    row = bsw.iloc[0]
    assert row["area_name"] == "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"
    assert (row["numerator"], row["denominator"], row["value"]) == (157_590.0, 809_070.0, 19.48)
    assert _ci(row) == (19.39, 19.48, 19.56)
    assert pd.isna(row["value_note"]) and row["category_attribute"] == "Persons"
    assert round(100 * row["numerator"] / row["denominator"], 2) == row["value"]


def test_age_standardised_rows_have_no_counts(march):
    standardised = march[march["metric_category_type_name"].str.endswith(" - Age Standardised")]
    assert len(standardised) == 16  # per ICB: 3 by sex, 5 by deprivation quintile
    assert standardised["numerator"].isna().all() and standardised["denominator"].isna().all()
    assert set(standardised["value_note"]) == {
        "Numerators and Denominators are not provided for Age Standardisation."
    }
    blmk = standardised[
        (standardised["area_code"] == "E54000024")
        & (standardised["metric_category_name"] == "1 - most deprived")
    ].iloc[0]
    assert _ci(blmk) == (24.67, 25.04, 25.42)
    assert march["value"].notna().all()  # nothing suppressed at ICB level


def test_breakdowns_and_a_confidence_interval(march):
    assert march.groupby("metric_category_type_name").size().to_dict() == {
        "Age group": 24,
        "Deprivation quintile": 10,
        "Deprivation quintile - Age Standardised": 10,
        "Sex": 6,
        "Sex - Age Standardised": 6,
    }
    # Age groups come by sex: CategoryAttribute is the sex, MetricCategoryName the age band.
    row = march[
        (march["area_code"] == "E54000040")
        & (march["metric_category_name"] == "80+")
        & (march["category_attribute"] == "Female")
    ].iloc[0]
    assert (row["numerator"], row["denominator"]) == (21_635.0, 35_190.0)
    assert _ci(row) == (60.96, 61.47, 61.98)
    # every count is a multiple of 5, and the age-group Persons rows add up to the overall row
    counts = pd.concat([march["numerator"], march["denominator"]]).dropna()
    assert (counts % 5 == 0).all()
    persons = march[
        (march["metric_category_type_name"] == "Age group") & (march["category_attribute"] == "Persons")
    ]
    assert persons.groupby("area_code")["numerator"].sum().to_dict() == {
        "E54000024": 161_800.0,
        "E54000040": 157_590.0,
    }


def test_small_file_parses(write_file):
    note = "Numerators and Denominators are not provided for Age Standardisation."
    path = _csv(
        write_file,
        _row(),
        _row(category_type="Sex - Age Standardised", numerator="", denominator="", value="20.75",
             lower="20.65", upper="20.85", note=note),
    )  # fmt: skip
    frame = _parse(path)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert frame["numerator"].tolist()[0] == 161_800.0 and pd.isna(frame["numerator"].iloc[1])
    assert frame["value_note"].tolist()[1] == note and frame["source_row"].tolist() == [2, 3]


def test_period_labels():
    assert period_end_of("To March 2026") == date(2026, 3, 31)
    assert period_end_of("To February 2024") == date(2024, 2, 29)
    assert period_end_of("Apr 2024 - Mar 2025") is None
    assert period_end_of("To Smarch 2026") is None


def test_missing_value_column(write_file):
    header = HEADER.replace(",Value,", ",Val,")
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(), header=header))
    assert exc.value.row == 1 and exc.value.column == "Value"
    assert "CVDP001HYP_icb.csv" in str(exc.value) and "required column 'Value' is missing" in str(exc.value)


def test_unknown_column(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row() + ",x", header=HEADER + ",MetricID"))
    assert exc.value.row == 1 and exc.value.column == "MetricID"


def test_wrong_field_count(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(), _row() + ",extra"))
    assert exc.value.row == 3 and "expected 18 fields as in the header, found 19" in str(exc.value)


def test_area_code_must_be_an_ons_pcn_or_practice_code(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(area='QHG,"NHS Bedfordshire, Luton and Milton Keynes ICB"')))
    assert exc.value.row == 2 and exc.value.column == "AreaCode"
    assert "expected an area code: ONS" in str(exc.value) and "'QHG'" in str(exc.value)


def test_pcn_and_practice_rows_parse(write_file):
    # an API walk's period file holds every system level: PCNs by U-code, practices by ODS code
    frame = _parse(
        _csv(write_file, _row(area="U89141,Stockton PCN"), _row(area="A81001,The Densham Surgery"))
    )
    assert frame["area_code"].tolist() == ["U89141", "A81001"]


def test_suppression_marker_is_an_error_not_a_zero(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(), _row(numerator="*")))
    assert exc.value.row == 3 and exc.value.column == "Numerator"
    assert "expected a number or a blank, found '*'" in str(exc.value)


def test_bad_confidence_limit(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(upper="18.4%")))
    assert exc.value.column == "UpperConfidenceLimit" and exc.value.row == 2
    assert "found '18.4%'" in str(exc.value)


def test_numerator_without_denominator(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(denominator="")))
    assert exc.value.row == 2 and "both published or both blank" in str(exc.value)


def test_factor_must_be_blank(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(factor="1000")))
    assert exc.value.row == 2 and exc.value.column == "Factor" and "found '1000'" in str(exc.value)


def test_blank_breakdown(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(category="")))
    assert exc.value.row == 2 and exc.value.column == "MetricCategoryName"


def test_period_not_the_release(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(period="To December 2025")))
    assert exc.value.row == 2 and exc.value.column == "TimePeriodName"
    assert "'To December 2025' does not end on the release's period_end (2026-03-31" in str(exc.value)


def test_outcome_period_is_not_understood(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(period="Apr 2025 - Mar 2026")))
    assert exc.value.row == 2 and "or one such as 'To March 2026'" in str(exc.value)


def test_a_period_named_as_the_release_is_accepted(write_file):
    # a walked release carries the API's own period name, whatever its form
    release = make_release(
        period_start=date(2025, 4, 1), period_end=date(2026, 3, 31), period_label="Apr 2025 - Mar 2026"
    )
    frame = _parse(_csv(write_file, _row(period="Apr 2025 - Mar 2026")), release)
    assert frame["time_period_name"].tolist() == ["Apr 2025 - Mar 2026"]


def test_release_without_period_start(write_file):
    release = make_release(period_start=None, period_end=date(2026, 3, 31))
    with pytest.raises(ParseError, match="must declare period_start"):
        _parse(_csv(write_file, _row()), release)


def test_empty_files(write_file):
    with pytest.raises(ParseError, match="the file is empty"):
        _parse(write_file("empty.csv", b""))
    with pytest.raises(ParseError, match="rows below the header"):
        _parse(_csv(write_file))
