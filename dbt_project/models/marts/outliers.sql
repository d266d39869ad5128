-- Funnel-plot position and HQIP status (alert beyond 95%, alarm beyond 99.8%) of every provider and
-- ICB, per source x indicator x period x breakdown, computed over the units AS PUBLISHED for that
-- period (int_funnel_units), with today's code beside the published one and the method and its
-- parameters on every row (int_outliers, orchestration.methods.funnel). For SHMI the publisher's own
-- 95% overdispersion limits and banding sit beside ours, to show that ours reproduce them. The casts
-- restore the types a Python model's pandas round trip loosens.
with shmi_published as (
    select
        provider_code,
        period_start,
        period_end,
        od_lower_95,
        od_upper_95,
        od_banding_label
    from {{ ref('stg_shmi__trust_releases') }}
)

select
    outliers.source_id,
    outliers.indicator_id,
    cast(outliers.period_start as date) as period_start,
    cast(outliers.period_end as date) as period_end,
    outliers.period_label,
    outliers.breakdown,
    outliers.funnel_level,
    outliers.org_level,
    outliers.org_code_published,
    outliers.org_code,
    outliers.org_unit_name,
    outliers.value_type,
    outliers.numerator,
    outliers.denominator,
    outliers.value,
    outliers.target,
    outliers.target_basis,
    outliers.lower_95,
    outliers.upper_95,
    outliers.lower_998,
    outliers.upper_998,
    outliers.z_score,
    outliers.phi,
    outliers.tau2,
    outliers.status,
    cast(outliers.in_estimate as boolean) as in_estimate,
    outliers.method,
    cast(outliers.overdispersion as boolean) as overdispersion,
    outliers.trim,
    cast(outliers.unit_count as bigint) as unit_count,
    case
        when outliers.status in ('alert_high', 'alarm_high') then 'higher_than_expected'
        when outliers.status = 'within' then 'as_expected'
        when outliers.status in ('alert_low', 'alarm_low') then 'lower_than_expected'
    end as band_95,
    shmi_published.od_lower_95 as published_lower_95,
    shmi_published.od_upper_95 as published_upper_95,
    shmi_published.od_banding_label as published_band_95
from {{ ref('int_outliers') }} as outliers
left join shmi_published
    on
        outliers.source_id = 'shmi'
        and outliers.org_code_published = shmi_published.provider_code
        and cast(outliers.period_start as date) = shmi_published.period_start
        and cast(outliers.period_end as date) = shmi_published.period_end
