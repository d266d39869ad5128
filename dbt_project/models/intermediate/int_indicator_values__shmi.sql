-- SHMI in the indicator shape: numerator = observed deaths, denominator = expected deaths,
-- value = the published SHMI (observed / expected, multiplier 1). The published value is kept
-- rather than recomputed (it is rounded to 4 decimal places in the files).
with shmi as (
    select * from {{ ref('stg_shmi__trust_releases') }}
),

levels as (
    select
        org_code,
        org_level
    from {{ ref('int_org_level__providers') }}
    where source_id = 'shmi'
)

select
    'shmi' as source_id,
    'shmi' as indicator_id,
    shmi.provider_code as org_code_published,
    levels.org_level,
    shmi.provider_name as org_unit_name,
    shmi.period_start,
    shmi.period_end,
    shmi.period_label,
    cast(shmi.observed_deaths as double) as numerator,
    shmi.expected_deaths as denominator,
    shmi.shmi_value as value,
    shmi.value_status,
    shmi.release_sha256,
    shmi.release_label,
    'all' as breakdown,
    cast(null as varchar) as unmatched_reason
from shmi
left join levels on shmi.provider_code = levels.org_code
