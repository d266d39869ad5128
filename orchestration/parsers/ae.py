"""NHS England monthly A&E attendances and emergency admissions CSV (MSitAE, 22 columns).

Quirks handled: trailing extra columns (September 2024: 6 extra fields, the last headed ``a``),
tolerated only when every value in them is blank; the national total row spelled ``TOTAL``, ``Total`` or ``Total `` (kept,
flagged ``is_total_row``; its ``Period`` cell says TOTAL, so it gets the file's period); trailing
spaces in ``Parent Org`` and names (stripped); CRLF line ends; quoted names containing commas.
"""

from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    HeaderColumn,
    ParseContext,
    build_frame,
    drop_blank_records,
    map_header,
    parse_int,
    read_csv_file,
    require_data,
    shown,
)
from orchestration.sources import Release

COUNT_COLUMNS = (
    HeaderColumn("attendances_type_1", ("A&E attendances Type 1",)),
    HeaderColumn("attendances_type_2", ("A&E attendances Type 2",)),
    HeaderColumn("attendances_other", ("A&E attendances Other A&E Department",)),
    HeaderColumn("attendances_booked_type_1", ("A&E attendances Booked Appointments Type 1",)),
    HeaderColumn("attendances_booked_type_2", ("A&E attendances Booked Appointments Type 2",)),
    HeaderColumn("attendances_booked_other", ("A&E attendances Booked Appointments Other Department",)),
    HeaderColumn("over_4hrs_type_1", ("Attendances over 4hrs Type 1",)),
    HeaderColumn("over_4hrs_type_2", ("Attendances over 4hrs Type 2",)),
    HeaderColumn("over_4hrs_other", ("Attendances over 4hrs Other Department",)),
    HeaderColumn("over_4hrs_booked_type_1", ("Attendances over 4hrs Booked Appointments Type 1",)),
    HeaderColumn("over_4hrs_booked_type_2", ("Attendances over 4hrs Booked Appointments Type 2",)),
    HeaderColumn("over_4hrs_booked_other", ("Attendances over 4hrs Booked Appointments Other Department",)),
    HeaderColumn(
        "dta_wait_4_12_hrs",
        (
            "Patients who have waited 4-12 hs from DTA to admission",
            "Patients who have waited 4-12 hrs from DTA to admission",
        ),
    ),
    HeaderColumn("dta_wait_12_plus_hrs", ("Patients who have waited 12+ hrs from DTA to admission",)),
    HeaderColumn("emergency_admissions_type_1", ("Emergency admissions via A&E - Type 1",)),
    HeaderColumn("emergency_admissions_type_2", ("Emergency admissions via A&E - Type 2",)),
    HeaderColumn("emergency_admissions_other", ("Emergency admissions via A&E - Other A&E department",)),
    HeaderColumn("other_emergency_admissions", ("Other emergency admissions",)),
)
COLUMNS = (
    HeaderColumn("period_label", ("Period",)),
    HeaderColumn("org_code", ("Org Code",)),
    HeaderColumn("parent_org", ("Parent Org",)),
    HeaderColumn("org_name", ("Org name",)),
    *COUNT_COLUMNS,
)
OUTPUT_COLUMNS = (
    "period_label", "org_code", "parent_org", "org_name", "is_total_row",
    *(c.output for c in COUNT_COLUMNS), "source_row",
)  # fmt: skip
TOTAL_MARKER = "total"


def _is_total(fields: list[str], index: dict[str, int]) -> bool:
    return fields[index["org_code"]].strip().lower() == TOTAL_MARKER


def parse_ae(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, rows = records[0], records[1:]
    index = map_header(ctx, header.fields, COLUMNS, row=header.line, unknown_ok=True)
    require_data(ctx, rows, "provider rows below the header")
    used = set(index.values())
    width = max(index.values()) + 1

    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    periods: set[str] = set()
    for record in rows:
        fields = record.fields
        if len(fields) < width:
            raise ctx.error(
                f"expected at least {width} fields as in the header, found {len(fields)}", row=record.line
            )
        for position, field in enumerate(fields):
            if position not in used and field.strip():
                name = header.fields[position].strip() if position < len(header.fields) else ""
                expected = ", ".join(repr(c.aliases[0]) for c in COLUMNS)
                raise ctx.error(
                    f"unexpected column {name or '(no header)'!r} (column {position + 1}) holds "
                    f"{shown(field)}: extra columns are tolerated only when every value is blank; "
                    f"expected only {expected}",
                    row=record.line,
                    column=name or f"#{position + 1} (no header)",
                )
        total = _is_total(fields, index)
        values["is_total_row"].append(total)
        period = fields[index["period_label"]].strip()
        if not total:
            if not period:
                raise ctx.error("expected a period such as 'MSitAE-APRIL-2025', found a blank", row=record.line,
                                column=header.fields[index["period_label"]].strip())  # fmt: skip
            periods.add(period)
        values["period_label"].append(period)
        for name in ("org_code", "parent_org", "org_name"):
            values[name].append(fields[index[name]])
        for column in COUNT_COLUMNS:
            position = index[column.output]
            values[column.output].append(
                parse_int(ctx, fields[position], row=record.line, column=header.fields[position].strip())
            )
        values["source_row"].append(record.line)

    if len(periods) > 1:
        raise ctx.error(f"expected one period in column 'Period', found {sorted(periods)}", column="Period")
    if periods:
        file_period = periods.pop()
        values["period_label"] = [file_period] * len(rows)

    kinds = {"period_label": "text", "org_code": "text", "parent_org": "text", "org_name": "text"}
    kinds |= {"is_total_row": "bool", "source_row": "row"} | {c.output: "int" for c in COUNT_COLUMNS}
    return build_frame({name: (kinds[name], values[name]) for name in OUTPUT_COLUMNS})
