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
),

-- Only a period that more than one release publishes can hold revisions. Ranking every row (a window
-- over every value) is the most expensive step of a national build, so it runs on those periods only.
period_releases as (
    select
        source_id,
        period_start,
        period_end,
        count(distinct release_label) > 1 as is_republished
    from published
    group by source_id, period_start, period_end
),

once_published as (
    select published.*
    from published
    inner join period_releases
        on
            published.source_id = period_releases.source_id
            and published.period_start is not distinct from period_releases.period_start
            and published.period_end is not distinct from period_releases.period_end
    where not period_releases.is_republished
),

revised as (
    select published.*
    from published
    inner join period_releases
        on
            published.source_id = period_releases.source_id
            and published.period_start is not distinct from period_releases.period_start
            and published.period_end is not distinct from period_releases.period_end
    left join releases
        on
            published.source_id = releases.source_id
            and published.release_label = releases.release_label
    where period_releases.is_republished
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
)

select * from once_published
union all
select * from revised
