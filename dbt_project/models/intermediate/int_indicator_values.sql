-- A table, not a view: four models and the tests read it, and each read of a view re-ran every
-- source's staging chain (at national scale, most of the dbt build's time).
{{ config(materialized="table") }}

-- Every source's indicator values in one shape (before successor mapping and geography).
--
-- Revisions across releases: when two releases of a source publish a value for the same indicator,
-- organisation, period and breakdown (e.g. provisional then final figures, or a publisher
-- republishing earlier months), the release listed later in sources.yml wins; the earlier stays in
-- the raw tables and in marts.release_history. (Revised files within one release are resolved in
-- staging: the latest file of each release is used.)
{% set sources = [
    'shmi', 'ae_monthly', 'ssnap_thrombectomy', 'cwt_provider', 'cwt_sub_icb', 'rtt', 'cvdprevent',
    'ssnap_org_audit', 'fingertips',
] %}
with published as (
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
),

releases as (
    select
        source_id,
        release_label,
        release_position
    from {{ source('meta', 'source_releases') }}
)

select published.*
from published
left join releases
    on
        published.source_id = releases.source_id
        and published.release_label = releases.release_label
qualify
    row_number() over (
        partition by
            published.source_id,
            published.indicator_id,
            published.org_code_published,
            published.org_level,
            published.org_unit_name,
            published.period_start,
            published.period_end,
            published.breakdown
        order by releases.release_position desc nulls last
    ) = 1
