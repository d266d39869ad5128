-- One row per source x indicator x published organisation (org_code_published, org_unit_name) x
-- period x breakdown. org_code is the code the organisation is known by today (ODS successions
-- followed, splits mapped to one successor); icb_code / region_code / org_name describe that
-- current organisation. National rows carry England (E92000001) and no ICB or region.
with indicator_values as (
    select * from {{ ref('int_indicator_values') }}
),

organisations as (
    select * from {{ ref('int_organisations') }}
),

successors as (
    select
        org_code,
        current_org_code,
        is_split
    from {{ ref('int_org_successor_paths') }}
),

mapped as (
    select
        indicator_values.*,
        case
            when indicator_values.org_level = 'country' then indicator_values.org_code_published
            else coalesce(successors.current_org_code, indicator_values.org_code_published)
        end as org_code,
        coalesce(successors.is_split, false) as is_split_mapped
    from indicator_values
    left join successors
        on
            indicator_values.org_code_published = successors.org_code
            and indicator_values.org_level <> 'country'
)

select
    mapped.source_id,
    mapped.indicator_id,
    mapped.org_code,
    mapped.org_code_published,
    mapped.org_level,
    case when mapped.org_level <> 'country' then current_org.icb_code end as icb_code,
    case when mapped.org_level <> 'country' then current_org.region_code end as region_code,
    mapped.period_start,
    mapped.period_end,
    mapped.period_label,
    mapped.numerator,
    mapped.denominator,
    mapped.value,
    mapped.value_status,
    mapped.release_sha256,
    mapped.release_label,
    mapped.org_unit_name,
    mapped.breakdown,
    current_org.org_name,
    coalesce(mapped.org_code <> mapped.org_code_published, false) as is_successor_mapped,
    mapped.is_split_mapped
from mapped
left join organisations as current_org on mapped.org_code = current_org.org_code
