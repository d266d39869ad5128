-- A table, not a view: the geography joins run once, and the models after it (Python ones included)
-- read stored rows within DuckDB's memory_limit instead of re-running the whole chain.
{{ config(materialized="table") }}

-- The indicator values as marts.fct_indicator_values publishes them, before confidence intervals
-- (int_indicator_values__intervals adds them): one row per source x indicator x published
-- organisation (org_code_published, org_unit_name) x period x breakdown, plus derived roll-ups
-- (is_derived). Published rows carry today's geography
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

published_statistics as (
    select * from {{ ref('int_published_statistics') }}
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
    all_values.derived_from_count,
    published_statistics.published_lower_ci_95,
    published_statistics.published_upper_ci_95,
    published_statistics.published_comparator_code,
    published_statistics.published_comparator_value,
    published_statistics.published_comparison,
    published_statistics.published_benchmark_method
from all_values
left join organisations on all_values.org_code = organisations.org_code
left join published_statistics
    on
        not all_values.is_derived
        and all_values.source_id = published_statistics.source_id
        and all_values.indicator_id = published_statistics.indicator_id
        and all_values.org_code_published = published_statistics.org_code_published
        and all_values.org_level = published_statistics.org_level
        and all_values.period_start = published_statistics.period_start
        and all_values.period_end = published_statistics.period_end
        and all_values.breakdown = published_statistics.breakdown
        and (
            published_statistics.release_label is null
            or all_values.release_label = published_statistics.release_label
        )
