-- Each organisation's value against England and against its NHS England region, by the Fingertips
-- rule (the comparator inside the unit's 95% interval, ends included, is 'similar'; otherwise
-- higher / lower, read as better / worse by the indicator's polarity), with its rank among peers of
-- its level, and the publisher's own comparison with England beside ours where it gives one
-- (Fingertips). Computed by int_benchmarks (orchestration.methods); the casts restore the types a
-- Python model's pandas round trip loosens.
select
    source_id,
    indicator_id,
    org_code,
    org_code_published,
    org_level,
    org_unit_name,
    cast(is_derived as boolean) as is_derived,
    icb_code,
    region_code,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    period_label,
    breakdown,
    polarity,
    value,
    lower_ci_95,
    upper_ci_95,
    ci_method,
    england_value,
    comparison_england,
    region_value,
    comparison_region,
    benchmark_method,
    case when published_comparator_code = '{{ var("england_code") }}' then published_comparison end
        as published_comparison_england,
    cast(peer_rank as bigint) as peer_rank,
    cast(peer_count as bigint) as peer_count
from {{ ref('int_benchmarks') }}
