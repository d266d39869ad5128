"""File faults through the real parse + Great Expectations validation of real sources.

Each test takes a real bundled file, breaks it the way public files really break, and runs
``ingest.validate_source`` (the step the pipeline runs before anything is written) on it. A fault
must end in one clear message naming the source, the file, the row and/or column and what was
expected; a legitimately valid variation (a BOM, an extra title row above an Excel header) must load
with the same values. The file itself is never changed or removed by validation (the raw store keeps
it). Full-pipeline runs of file faults (published warehouse byte-identical) are in
test_process_faults.py; zip faults are covered by tests/unit/fetch/test_fetch_zips.py and
tests/integration/fetch/test_fetch_http.py (see docs/reliability.md).
"""

import csv
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from orchestration.fetch import FetchResult
from orchestration.ingest import SourceValidation, validate_source
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT
from tests.support.factories import make_settings

pytestmark = pytest.mark.faults

CONFIG = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
SOURCES = {source.id: source for source in CONFIG.sources}
SHMI_RELEASE = "2012-10"  # a plain UTF-8 file (later releases end with a Windows-1252 footer, handled)


def release_of(source_id: str, label: str):
    return next(r for r in SOURCES[source_id].releases if r.release == label)


def original(source_id: str, label: str) -> bytes:
    return (PROJECT_ROOT / release_of(source_id, label).snapshot).read_bytes()


def validate(tmp_path: Path, source_id: str, label: str, path: Path) -> SourceValidation:
    """Run the pipeline's validation step on ``path`` as the fetched file of that release."""
    before = path.read_bytes()
    settings = make_settings(tmp_path / "warehouse")
    fetched = FetchResult(
        source_id=source_id,
        release=label,
        url_redacted="http://127.0.0.1/test",
        outcome="downloaded",
        raw_path=path,
        data_path=path,
        sha256=hashlib.sha256(before).hexdigest(),
        bytes=len(before),
        fetched_at=datetime.now(UTC),
        attempts=(),
    )
    outcome = validate_source(SOURCES[source_id], [fetched], settings)
    assert path.read_bytes() == before  # the raw file is kept as it was
    return outcome


def failure(outcome: SourceValidation) -> str:
    assert not outcome.success, "the broken file passed validation"
    assert len(outcome.failures) == 1
    return outcome.failures[0]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def shmi_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(original("shmi", SHMI_RELEASE).decode("utf-8"))))


def shmi_file(tmp_path: Path, rows: list[list[str]], name: str = "shmi-broken.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return write(tmp_path, name, buffer.getvalue().encode("utf-8"))


def set_cell(rows: list[list[str]], line: int, column: str, value: str) -> list[list[str]]:
    rows[line - 1][rows[0].index(column)] = value
    return rows


# -- columns ---------------------------------------------------------------------------------------------------
def test_a_renamed_column_is_named_with_what_was_expected(tmp_path):
    rows = shmi_rows()
    rows[0][rows[0].index("OBSERVED")] = "OBSERVED_DEATHS"
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert message.startswith("shmi: shmi-broken.csv, row 1, column 'OBSERVED': required column 'OBSERVED'")
    assert "unknown columns found: ['OBSERVED_DEATHS']" in message


def test_a_missing_column_is_named(tmp_path):
    rows = [row[:5] + row[6:] for row in shmi_rows()]  # EXPECTED dropped
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert "shmi: shmi-broken.csv, row 1, column 'EXPECTED': required column 'EXPECTED' is missing" in message


def test_an_extra_column_is_refused_not_ignored(tmp_path):
    rows = [[*row, "NOTES" if index == 0 else "x"] for index, row in enumerate(shmi_rows())]
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert "shmi: shmi-broken.csv, row 1, column 'NOTES': unexpected column 'NOTES' (column 13)" in message


# -- values ------------------------------------------------------------------------------------------------------
def test_duplicate_keys_name_the_rows(tmp_path):
    rows = shmi_rows()
    rows.append(list(rows[1]))
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert message.startswith("shmi: shmi-2012-october.csv (raw shmi-broken.csv) failed 1 of")
    code = rows[1][1]
    assert (
        f"expect_column_values_to_be_unique on 'provider_code': 2 unexpected, e.g. '{code}', '{code}'"
        in message
    )
    assert f"(file rows 2, {len(rows)})" in message


def test_a_negative_count_is_named_with_its_row(tmp_path):
    rows = set_cell(shmi_rows(), 4, "OBSERVED", "-5")
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert (
        "expect_column_values_to_be_between on 'observed_deaths': 1 unexpected, e.g. -5 (file row 4)"
        in message
    )


def test_numerator_above_denominator_is_named_with_its_row(tmp_path):
    rows = shmi_rows()
    spells = int(rows[3][rows[0].index("DENOMINATOR")])
    rows = set_cell(rows, 4, "OBSERVED", str(spells + 10))
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert (
        "expect_column_pair_values_a_to_be_greater_than_b on 'spells, observed_deaths': 1 unexpected, "
        f"e.g. ({spells}, {spells + 10}) (file row 4)"
    ) in message


def test_an_unknown_suppression_marker_is_an_error_with_row_and_column(tmp_path):
    rows = set_cell(shmi_rows(), 7, "OBSERVED", "[z]")
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert message == (
        "shmi: shmi-broken.csv, row 7, column 'OBSERVED': expected a whole number, a blank or a "
        "suppression marker, found '[z]'"
    )


def test_a_known_suppression_marker_where_a_count_is_required_is_caught_by_the_suite(tmp_path):
    rows = set_cell(shmi_rows(), 7, "OBSERVED", "*")
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, shmi_file(tmp_path, rows)))
    assert (
        "expect_column_values_to_not_be_null on 'observed_deaths': 1 unexpected, e.g. null (file row 7)"
        in message
    )


def test_a_suppression_marker_in_a_source_that_never_suppresses_is_an_error(tmp_path):
    label = SOURCES["cvdprevent"].releases[0].release
    rows = list(csv.reader(io.StringIO(original("cvdprevent", label).decode("utf-8"))))
    rows[3][rows[0].index("Numerator")] = "*"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = write(tmp_path, "cvdprevent-broken.csv", buffer.getvalue().encode("utf-8"))
    message = failure(validate(tmp_path, "cvdprevent", label, path))
    assert message.startswith("cvdprevent: cvdprevent-broken.csv, row 4, column 'Numerator':")
    assert "'*'" in message


# -- encodings ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "byte"), [(b"\xff", "0xFF"), (b"\x92", "0x92")], ids=["invalid-utf8", "windows-1252-apostrophe"]
)
def test_bytes_that_are_not_utf8_name_the_line(tmp_path, bad, byte):
    data = original("shmi", SHMI_RELEASE)
    lines = data.split(b"\r\n")
    name_start = lines[5].index(b",", lines[5].index(b",") + 1) + 2  # inside PROVIDER_NAME of line 6
    lines[5] = lines[5][:name_start] + bad + lines[5][name_start:]
    path = write(tmp_path, "shmi-encoding.csv", b"\r\n".join(lines))
    message = failure(validate(tmp_path, "shmi", SHMI_RELEASE, path))
    assert message.startswith(
        f"shmi: shmi-encoding.csv, row 6: expected UTF-8 text, found undecodable byte {byte}"
    )


def test_a_utf8_bom_is_valid_and_loads_the_same_values(tmp_path):
    path = write(tmp_path, "shmi-bom.csv", b"\xef\xbb\xbf" + original("shmi", SHMI_RELEASE))
    plain = write(tmp_path, "shmi-plain.csv", original("shmi", SHMI_RELEASE))
    with_bom, without = (
        validate(tmp_path, "shmi", SHMI_RELEASE, path),
        validate(tmp_path, "shmi", SHMI_RELEASE, plain),
    )
    assert with_bom.success and without.success
    assert with_bom.files[0].frame.equals(without.files[0].frame)


# -- size ----------------------------------------------------------------------------------------------------------
def test_ten_times_the_rows_is_stopped_by_the_row_count_ceiling(tmp_path):
    """10x a month of A&E (about 2,000 rows) is valid CSV, but over the suite's 1,000-row ceiling."""
    label = "2025-04"
    lines = original("ae_monthly", label).split(b"\r\n")
    header, body = lines[0], [line for line in lines[1:] if line.strip()]
    path = write(tmp_path, "ae-10x.csv", b"\r\n".join([header, *(body * 10)]) + b"\r\n")
    message = failure(validate(tmp_path, "ae_monthly", label, path))
    assert message.startswith("ae_monthly: Monthly-AE-April-2025.csv (raw ae-10x.csv) failed")
    assert (
        f"expect_table_row_count_to_be_between on the table: failed, e.g. observed {len(body) * 10}"
        in message
    )


# -- Excel ---------------------------------------------------------------------------------------------------------
CWT_LABEL = "2023-04-to-2023-10"


def cwt_workbook(tmp_path: Path, change) -> Path:
    source = PROJECT_ROOT / release_of("cwt_sub_icb", CWT_LABEL).snapshot
    workbook = openpyxl.load_workbook(source)
    change(workbook)
    path = tmp_path / "CWT-broken.xlsx"
    workbook.save(path)
    return path


def test_an_extra_title_row_above_the_excel_header_is_refused_naming_row_and_header(tmp_path):
    """CWT's header must be the sheet's first non-blank row: a title above it is a layout change."""

    def add_title(workbook):
        workbook.active.insert_rows(1)
        workbook.active["A1"] = "Cancer Waiting Times: Sub-ICB extract (provisional)"

    message = failure(validate(tmp_path, "cwt_sub_icb", CWT_LABEL, cwt_workbook(tmp_path, add_title)))
    assert message.startswith(
        "cwt_sub_icb: CWT-broken.xlsx, row 1, column 'PERIOD': required column 'PERIOD' is missing"
    )
    assert "header found: ['Cancer Waiting Times: Sub-ICB extract (provisional)']" in message


def test_the_unchanged_workbook_resaved_still_loads(tmp_path):
    """Control for the two Excel faults: a plain re-save by openpyxl is not itself a fault."""
    outcome = validate(tmp_path, "cwt_sub_icb", CWT_LABEL, cwt_workbook(tmp_path, lambda _wb: None))
    assert outcome.success and len(outcome.files[0].frame) > 1000


def test_a_renamed_excel_sheet_is_named_with_what_was_expected(tmp_path):
    def rename(workbook):
        workbook.active.title = "Data"

    message = failure(validate(tmp_path, "cwt_sub_icb", CWT_LABEL, cwt_workbook(tmp_path, rename)))
    assert message == (
        "cwt_sub_icb: CWT-broken.xlsx: expected a sheet named 'CWT CRS ICB SubLocation Extract', found sheets ['Data']"
    )


# -- zip members -------------------------------------------------------------------------------------------------
def test_zip_members_named_with_dot_dot_or_absolute_paths_are_never_written(tmp_path):
    """The real ODS etr.csv inside a zip that also carries path-trick members: only etr.csv comes out."""
    import zipfile

    from orchestration.fetch.zips import ZipMemberError, check_member_name, extract_member

    real = original("ods_etr", SOURCES["ods_etr"].releases[-1].release)
    archive = tmp_path / "etr.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../escape.csv", b"escaped")
        zf.writestr("/tmp/absolute.csv", b"absolute")
        zf.writestr("etr.csv", real)
    out = tmp_path / "store" / "etr.csv"
    out.parent.mkdir()
    written, _ = extract_member(archive, "etr.csv", out, max_bytes=10_000_000)
    assert written == len(real) and out.read_bytes() == real
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["etr.csv", "etr.zip", "store"]
    for name in ("../../escape.csv", "/tmp/absolute.csv", "C:/x.csv"):
        with pytest.raises(ZipMemberError):
            check_member_name(name)  # and such a configured member is refused before any request
