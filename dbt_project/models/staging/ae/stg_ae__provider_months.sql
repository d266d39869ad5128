-- One row per provider per month of the NHS England A&E monthly situation report (MSitAE), plus
-- the national total row (is_total_row). The period is parsed from labels like MSitAE-APRIL-2025.
-- Both publisher layouts arrive in the same raw columns: the monthly CSV, and the older .xls
-- provider workbook (December 2019), whose booked-appointment and 4-12 hour DTA columns are NULL.
with source as (
    select * from {{ latest_release_files(source('raw', 'ae_monthly')) }}
),

-- The CSV's national total row repeats TOTAL in every text column, Period included: every row
-- takes the period of its file.
file_periods as (
    select
        *,
        max(trim(period_label)) filter (
            where regexp_matches(upper(trim(period_label)), '^MSITAE-[A-Z]+-[0-9]{4}$')
        ) over (partition by _file_sha256) as file_period_label
    from source
),

parsed as (
    select
        *,
        cast(
            try_strptime(
                '01-' || regexp_extract(upper(file_period_label), '^MSITAE-([A-Z]+)-([0-9]{4})$', 1)
                || '-' || regexp_extract(upper(file_period_label), '^MSITAE-([A-Z]+)-([0-9]{4})$', 2),
                '%d-%B-%Y'
            ) as date
        ) as month_start
    from file_periods
)

select
    case when is_total_row then '{{ var("england_code") }}' else upper(trim(org_code)) end as org_code,
    -- the total row's region cell repeats TOTAL (CSV) or '-' (workbook): no region
    case when not is_total_row then nullif(trim(parent_org), '') end as parent_org_name,
    case when is_total_row then 'England' else trim(org_name) end as org_name,
    is_total_row,
    month_start as period_start,
    last_day(month_start) as period_end,
    file_period_label as period_label,
    attendances_type_1,
    attendances_type_2,
    attendances_other,
    attendances_booked_type_1,
    attendances_booked_type_2,
    attendances_booked_other,
    over_4hrs_type_1,
    over_4hrs_type_2,
    over_4hrs_other,
    over_4hrs_booked_type_1,
    over_4hrs_booked_type_2,
    over_4hrs_booked_other,
    dta_wait_4_12_hrs,
    dta_wait_12_plus_hrs,
    emergency_admissions_type_1,
    emergency_admissions_type_2,
    emergency_admissions_other,
    other_emergency_admissions,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from parsed
