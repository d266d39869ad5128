-- Fingertips data points placed on the indicator grain, one row per (indicator, area, period,
-- breakdown), with the publisher's values, limits and comparison. Read by int_indicator_values__fingertips
-- and int_published_statistics__fingertips so both choose the same row and the same organisation.
--
-- * One row per grain: two responses can carry the same data point (41101 for London, once compared
--   with England and once, with &inequalities=sex, with London's own persons value). The values are
--   the same; the row compared with England is kept (that is the comparison marts.benchmarks
--   reproduces), then the latest fetched file.
-- * Organisation: E92000001 is England ('country'). E12 codes are ONS administrative regions
--   (London E12000007): 'ons_region', kept under their ONS code - they are not NHS England regions
--   and sit above any ICB (no ICB, not counted as unmapped). ONS codes of ICBs (E54), Sub-ICB
--   locations (E38) and NHS England regions (E40) are mapped to ODS codes through every geography
--   vintage as for CVDPREVENT (unknown -> org_code_published NULL, 'unknown_code'). A GP practice
--   code (letter + 5 digits, e.g. A84022) is 'practice' under its own ODS code: it reaches its ICB
--   through the practice's Sub-ICB location like every practice-level row.
with data_points as (
    select * from {{ ref('stg_fingertips__indicator_values') }}
),

ons_areas as (
    select * from {{ ref('int_geography__ons_area_levels') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by indicator_id, area_code, period_start, period_end, breakdown
            order by
                coalesce(benchmark_area_code = '{{ var("england_code") }}', false) desc,
                fetched_at desc,
                release_label desc
        ) as preference
    from data_points
)

select
    ranked.indicator_id,
    ranked.fingertips_indicator_id,
    ranked.area_code,
    case
        when ranked.area_code = '{{ var("england_code") }}' then ranked.area_code
        when ranked.area_code like 'E12%' then ranked.area_code
        when regexp_matches(ranked.area_code, '^[A-Z][0-9]{5}$') then ranked.area_code
        else ons_areas.org_code
    end as org_code_published,
    case
        when ranked.area_code = '{{ var("england_code") }}' then 'country'
        when ranked.area_code like 'E12%' then 'ons_region'
        when regexp_matches(ranked.area_code, '^[A-Z][0-9]{5}$') then 'practice'
        when ons_areas.org_level is not null then ons_areas.org_level
        when ranked.area_code like 'E54%' then 'icb'
        when ranked.area_code like 'E38%' then 'sub_icb'
        when ranked.area_code like 'E40%' then 'nhs_region'
    end as org_level,
    ranked.area_name as org_unit_name,
    ranked.period_start,
    ranked.period_end,
    ranked.period_label,
    ranked.breakdown,
    ranked.count,
    ranked.value,
    ranked.value_status,
    ranked.lower_ci,
    ranked.upper_ci,
    ranked.trend,
    ranked.benchmark_method,
    ranked.benchmark_outcome,
    ranked.benchmark_comparison,
    ranked.benchmark_area_code,
    ranked.benchmark_value,
    ranked.release_sha256,
    ranked.release_label,
    case
        when
            ranked.area_code like 'E54%' or ranked.area_code like 'E38%' or ranked.area_code like 'E40%'
            then case when ons_areas.org_code is null then 'unknown_code' end
    end as unmatched_reason
from ranked
left join ons_areas on ranked.area_code = ons_areas.ons_code
where ranked.preference = 1
