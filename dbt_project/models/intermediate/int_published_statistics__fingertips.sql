-- What Fingertips publishes beside each value, on the grain of int_indicator_values__fingertips
-- (source_id, indicator_id, org_code_published, org_level, period_start, period_end, breakdown), to be
-- shown beside the limits and comparisons computed here (marts.fct_indicator_values, marts.benchmarks).
-- * published_lower_ci_95 / published_upper_ci_95: the API's lowerCi / upperCi (95% limits; NULL where
--   the indicator publishes none, e.g. quintile-benchmarked GP Patient Survey indicators);
--   published_ci_level 95 where they are published.
-- * published_comparator_code / _value: the benchmark area (E92000001 England unless the only response
--   compares a segment with its own area's aggregate) and its value; published_comparison: the outcome
--   in lower snake case ('better', 'similar', 'worse', 'lower', 'higher', 'lowest' .. 'highest',
--   'best', 'worst', 'not_compared'); published_benchmark_method: 'CIOverlappingReferenceValue95',
--   'CIOverlappingReferenceValue99_8' or 'Quintiles' as the API names it.
-- * published_count: the published count (not a numerator: no denominator is published).
select
    'fingertips' as source_id,
    indicator_id,
    org_code_published,
    org_level,
    period_start,
    period_end,
    breakdown,
    -- one row per value across the source's responses, so not tied to one release
    cast(null as varchar) as release_label,
    lower_ci as published_lower_ci_95,
    upper_ci as published_upper_ci_95,
    case when lower_ci is not null or upper_ci is not null then 95 end as published_ci_level,
    benchmark_area_code as published_comparator_code,
    benchmark_value as published_comparator_value,
    benchmark_comparison as published_comparison,
    benchmark_method as published_benchmark_method,
    count as published_count,
    trend as published_trend
from {{ ref('int_fingertips__data_points') }}
