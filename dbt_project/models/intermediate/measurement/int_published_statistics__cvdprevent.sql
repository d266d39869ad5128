-- CVDPREVENT's own 95% confidence limits for each value it publishes, on the grain of
-- int_indicator_values (release included: a walked release may republish a bundled period).
select
    source_id,
    indicator_id,
    org_code_published,
    org_level,
    period_start,
    period_end,
    breakdown,
    release_label,
    published_lower_ci_95,
    published_upper_ci_95,
    cast(null as varchar) as published_comparator_code,
    cast(null as double) as published_comparator_value,
    cast(null as varchar) as published_comparison,
    cast(null as varchar) as published_benchmark_method
from {{ ref('int_indicator_values__cvdprevent') }}
where published_lower_ci_95 is not null or published_upper_ci_95 is not null
