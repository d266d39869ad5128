-- Current attributes of every trust code found in any etr vintage, taken from the latest vintage
-- holding the code. icb_code / region_code are kept only when they are codes of the current
-- geography (an ICB / NHS England region in the ONS lookups): older vintages hold STP, area team
-- and pre-2018 region codes, which are not placed on today's map.
with trusts as (
    select * from {{ ref('stg_ods__trusts') }}
),

geography as (
    select * from {{ ref('int_geography__orgs') }}
),

latest as (
    select *
    from trusts
    qualify row_number() over (partition by org_code order by vintage_date desc, source_row asc) = 1
),

first_seen as (
    select
        org_code,
        min(open_date) as first_open_date,
        min(vintage_date) as first_vintage_date
    from trusts
    group by org_code
)

select
    latest.org_code,
    latest.org_name,
    latest.region_code as published_region_code,
    latest.host_geography_code as published_host_geography_code,
    icb.org_code as icb_code,
    region.org_code as region_code,
    coalesce(latest.open_date, first_seen.first_open_date) as open_date,
    latest.close_date,
    latest.vintage_date as latest_vintage_date,
    latest.release_label as latest_release_label,
    latest.postcode
from latest
inner join first_seen on latest.org_code = first_seen.org_code
left join geography as icb
    on latest.host_geography_code = icb.org_code and icb.org_type = 'icb'
left join geography as region
    on latest.region_code = region.org_code and region.org_type = 'nhs_region'
