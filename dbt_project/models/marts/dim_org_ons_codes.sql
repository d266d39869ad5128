-- The ONS (GSS) codes each Sub-ICB location, ICB and NHS England region has carried, by ODS code,
-- with the vintages that used them. ODS codes are the stable key; ONS codes change while the body
-- does not (Surrey Heartlands ICB QXU: E54000052 in 2022, E54000063 from April 2023). Join data
-- published on ONS codes (e.g. Fingertips) through here, on the code valid for its period.
with vintages as (
    select * from {{ ref('int_geography__org_vintages') }}
    where ons_code is not null
),

vintage_dates as (
    select distinct lookup_date from vintages
),

spans as (
    select
        org_code,
        ons_code,
        arg_max(org_type, lookup_date) as org_type,
        min(lookup_date) as first_vintage_date,
        max(lookup_date) as last_vintage_date
    from vintages
    group by org_code, ons_code
)

select
    spans.org_code,
    spans.org_type,
    spans.ons_code,
    spans.first_vintage_date as valid_from,
    (
        select cast(min(vintage_dates.lookup_date) - interval 1 day as date)
        from vintage_dates
        where vintage_dates.lookup_date > spans.last_vintage_date
    ) as valid_to
from spans
