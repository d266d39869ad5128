-- The units a funnel plot compares, one row per source x indicator x period x breakdown x unit, AS
-- PUBLISHED for that period (issue 5): units are never merged through later successions, so a trust
-- that later merged is still its own point, and an ICB is the ICB of that period.
-- * funnel_level 'provider': published rows of trusts, SSNAP teams and independent providers.
-- * funnel_level 'icb': the ICB rows a publisher gives (CVDPREVENT), else the sums of the published
--   rows below ICB (providers, Sub-ICB locations) over the ICB each sat in at the end of the period
--   (icb_code_as_published) - never an average of percentages.
-- Only indicators a funnel plot can take: proportions (numerator of denominator) and ratios
-- (observed of expected, e.g. SHMI). org_code is today's code for the unit (ODS successions and the
-- April 2026 ICB mergers followed), kept beside the code as published.
with indicators as (
    select
        indicator_id,
        value_type,
        multiplier
    from {{ ref('int_indicators') }}
    where value_type in ('proportion', 'ratio')
),

published_values as (
    select values_with_geography.*
    from {{ ref('int_indicator_values__geography') }} as values_with_geography
    inner join indicators on values_with_geography.indicator_id = indicators.indicator_id
    where
        values_with_geography.value_status = 'published'
        and values_with_geography.numerator is not null
        and values_with_geography.denominator is not null
),

-- Units the publisher gives itself: providers, and ICBs where a source publishes ICB rows.
published_units as (
    select
        source_id,
        indicator_id,
        period_start,
        period_end,
        period_label,
        breakdown,
        case when org_level = 'icb' then 'icb' else 'provider' end as funnel_level,
        org_level,
        org_code_published,
        org_code,
        org_unit_name,
        numerator,
        denominator
    from published_values
    where org_level in ('trust', 'team', 'independent_provider', 'other_provider', 'icb')
),

summed_icb_units as (
    select
        published_values.source_id,
        published_values.indicator_id,
        published_values.period_start,
        published_values.period_end,
        any_value(published_values.period_label) as period_label,
        published_values.breakdown,
        'icb' as funnel_level,
        'icb' as org_level,
        published_values.icb_code_as_published as org_code_published,
        coalesce(any_value(successor_paths.current_org_code), published_values.icb_code_as_published) as org_code,
        cast(null as varchar) as org_unit_name,
        sum(published_values.numerator) as numerator,
        sum(published_values.denominator) as denominator
    from published_values
    left join {{ ref('int_org_successor_paths') }} as successor_paths
        on published_values.icb_code_as_published = successor_paths.org_code
    where
        published_values.org_level in ('trust', 'team', 'independent_provider', 'other_provider', 'sub_icb')
        and published_values.icb_code_as_published is not null
    group by
        published_values.source_id,
        published_values.indicator_id,
        published_values.period_start,
        published_values.period_end,
        published_values.breakdown,
        published_values.icb_code_as_published
),

-- ICB units summed here only where the publisher gives no ICB rows for that indicator and period.
summed_icb_units_needed as (
    select summed_icb_units.*
    from summed_icb_units
    where not exists (
            select 1
            from published_units
            where
                published_units.funnel_level = 'icb'
                and published_units.source_id = summed_icb_units.source_id
                and published_units.indicator_id = summed_icb_units.indicator_id
                and published_units.period_end = summed_icb_units.period_end
        )
),

england_values as (
    select
        source_id,
        indicator_id,
        period_start,
        period_end,
        breakdown,
        value as england_value
    from {{ ref('int_indicator_values__geography') }}
    where org_level = 'country' and value_status = 'published'
)

select
    units.*,
    indicators.value_type,
    indicators.multiplier,
    england_values.england_value
from (
    select * from published_units
    union all
    select * from summed_icb_units_needed
) as units
inner join indicators on units.indicator_id = indicators.indicator_id
left join england_values
    on
        units.source_id = england_values.source_id
        and units.indicator_id = england_values.indicator_id
        and units.period_start = england_values.period_start
        and units.period_end = england_values.period_end
        and units.breakdown = england_values.breakdown
