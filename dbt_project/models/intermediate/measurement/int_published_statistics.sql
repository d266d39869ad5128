-- What publishers give beside their values (their own confidence limits, comparator and comparison
-- outcome), on the grain of int_indicator_values, for the sources that publish them. Kept beside the
-- limits and comparisons computed here, never in their place. release_label ties a row to one
-- release where the publisher's statistics belong to one (CVDPREVENT); NULL where not (Fingertips).
{% set sources = ['cvdprevent', 'fingertips'] %}
{% for source_id in sources %}
select
    source_id,
    indicator_id,
    org_code_published,
    org_level,
    period_start,
    period_end,
    breakdown,
    release_label,
    cast(published_lower_ci_95 as double) as published_lower_ci_95,
    cast(published_upper_ci_95 as double) as published_upper_ci_95,
    published_comparator_code,
    cast(published_comparator_value as double) as published_comparator_value,
    published_comparison,
    published_benchmark_method
from {{ ref('int_published_statistics__' ~ source_id) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
