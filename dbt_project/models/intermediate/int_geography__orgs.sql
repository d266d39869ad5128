-- One row per Sub-ICB location, ICB and NHS England region (by ODS code) across all ONS lookup
-- vintages. Attributes (name, ONS code, parent) come from the latest vintage holding the code;
-- valid_from is the date of the earliest vintage holding it; valid_to is the day before the first
-- later vintage that no longer holds it (NULL while the latest vintage still holds it).
with vintages as (
    select * from {{ ref('int_geography__org_vintages') }}
),

vintage_dates as (
    select distinct lookup_date from vintages
),

spans as (
    select
        org_code,
        min(lookup_date) as first_lookup_date,
        max(lookup_date) as last_lookup_date
    from vintages
    group by org_code
),

latest as (
    select *
    from vintages
    qualify row_number() over (partition by org_code order by lookup_date desc) = 1
)

select
    latest.org_code,
    latest.org_type,
    latest.org_name,
    latest.ons_code,
    latest.parent_org_code,
    latest.icb_ods_code as icb_code,
    latest.region_code,
    spans.first_lookup_date as valid_from,
    (
        select min(vintage_dates.lookup_date) - interval 1 day
        from vintage_dates
        where vintage_dates.lookup_date > spans.last_lookup_date
    )::date as valid_to,
    latest.lookup_label as latest_lookup_label
from latest
inner join spans on latest.org_code = spans.org_code
