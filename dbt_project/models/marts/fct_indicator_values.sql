-- One row per source x indicator x published organisation (org_code_published, org_unit_name) x
-- period x breakdown, plus derived roll-ups (is_derived). Published rows carry today's geography
-- (org_code after ODS successions; icb_code, region_code, cancer_alliance_code, isdn_code on today's
-- map, including the April 2026 ICB mergers) and the geography as published for their period
-- (icb_code_as_published, region_code_as_published). A row that cannot be placed on an ICB says why
-- in unmapped_reason and is listed in unmapped_organisations.
with published_values as (
    select
        *,
        false as is_derived,
        cast(null as bigint) as derived_from_count
    from {{ ref('int_indicator_values__geography') }}
),

derived_values as (
    select
        * exclude (derived_from_count),
        true as is_derived,
        derived_from_count
    from {{ ref('int_indicator_values__rollups') }}
),

all_values as (
    select * from published_values
    union all
    select * from derived_values
),

organisations as (
    select
        org_code,
        org_name
    from {{ ref('int_organisations') }}
)

select
    all_values.source_id,
    all_values.indicator_id,
    all_values.org_code,
    all_values.org_code_published,
    all_values.org_level,
    all_values.icb_code,
    all_values.region_code,
    all_values.period_start,
    all_values.period_end,
    all_values.period_label,
    all_values.numerator,
    all_values.denominator,
    all_values.value,
    all_values.value_status,
    all_values.release_sha256,
    all_values.release_label,
    coalesce(all_values.org_unit_name, organisations.org_name, all_values.org_code) as org_unit_name,
    all_values.breakdown,
    organisations.org_name,
    coalesce(all_values.org_code <> all_values.org_code_published, false) as is_successor_mapped,
    all_values.is_split_mapped,
    all_values.icb_code_as_published,
    all_values.region_code_as_published,
    all_values.cancer_alliance_code,
    all_values.isdn_code,
    all_values.unmapped_reason,
    all_values.is_derived,
    all_values.derived_from_count
from all_values
left join organisations on all_values.org_code = organisations.org_code
