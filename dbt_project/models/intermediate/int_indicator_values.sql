-- Every source's indicator values in one shape (before successor mapping and geography).
{% set sources = ['shmi', 'ae_monthly', 'ssnap_thrombectomy'] %}
{% for source_id in sources %}
select
    source_id,
    indicator_id,
    org_code_published,
    org_level,
    org_unit_name,
    period_start,
    period_end,
    period_label,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(value as double) as value,
    value_status,
    release_sha256,
    release_label,
    breakdown,
    unmatched_reason
from {{ ref('int_indicator_values__' ~ source_id) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
