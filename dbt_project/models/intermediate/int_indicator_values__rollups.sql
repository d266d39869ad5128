-- Derived rows: indicators with a numerator and a denominator summed from the rows a source publishes
-- below ICB level (trusts, SSNAP teams, independent providers; Sub-ICB locations for sources that
-- report by commissioner, such as Cancer Waiting Times by Sub-ICB) up to today's ICB, NHS England region, Cancer
-- Alliance, Integrated Stroke Delivery Network and England. value = multiplier x sum(numerator) /
-- sum(denominator) - never an average of percentages. Only published provider values count; rows
-- a publisher already aggregated (its England rows) are never inputs, and the results are flagged
-- is_derived so they are never confused with them. England sums every English provider row
-- (placed on an ICB or not); Welsh and other non-English providers are left out.
--
-- Each provider row counts once per level: a predecessor split between successors was mapped to
-- one of them (int_org_successor_paths), and a provider belongs to one unit per level today.
with provider_values as (
    select values_with_geography.*
    from {{ ref('int_indicator_values__geography') }} as values_with_geography
    inner join {{ ref('int_indicators') }} as indicators
        on values_with_geography.indicator_id = indicators.indicator_id
    where
        values_with_geography.org_level in ('trust', 'team', 'independent_provider', 'other_provider', 'sub_icb')
        and values_with_geography.value_status = 'published'
        and values_with_geography.numerator is not null
        and values_with_geography.denominator is not null
        and indicators.value_type in ('proportion', 'rate', 'ratio')
),

by_level as (
    select
        'icb' as org_level,
        icb_code as unit_code,
        * exclude (org_level)
    from provider_values
    where icb_code is not null

    union all

    select
        'nhs_region' as org_level,
        region_code as unit_code,
        * exclude (org_level)
    from provider_values
    where region_code is not null

    union all

    select
        'cancer_alliance' as org_level,
        cancer_alliance_code as unit_code,
        * exclude (org_level)
    from provider_values
    where cancer_alliance_code is not null

    union all

    select
        'isdn' as org_level,
        isdn_code as unit_code,
        * exclude (org_level)
    from provider_values
    where isdn_code is not null

    union all

    select
        'country' as org_level,
        '{{ var("england_code") }}' as unit_code,
        * exclude (org_level)
    from provider_values
    where coalesce(unmapped_reason, '') not in ('welsh_provider', 'outside_england')
),

summed as (
    select
        by_level.source_id,
        by_level.indicator_id,
        by_level.org_level,
        by_level.unit_code,
        by_level.period_start,
        by_level.period_end,
        by_level.period_label,
        by_level.release_sha256,
        by_level.release_label,
        by_level.breakdown,
        sum(by_level.numerator) as numerator,
        sum(by_level.denominator) as denominator,
        count(*) as derived_from_count
    from by_level
    group by all
),

icb_regions as (
    select
        org_code as icb_code,
        parent_code as region_code
    from {{ ref('int_org_memberships') }}
    where
        org_type = 'icb'
        and parent_type = 'nhs_region'
        and valid_from <= current_date
        and (valid_to is null or valid_to >= current_date)
)

select
    summed.source_id,
    summed.indicator_id,
    summed.unit_code as org_code,
    summed.unit_code as org_code_published,
    summed.org_level,
    case when summed.org_level = 'icb' then summed.unit_code end as icb_code,
    case
        when summed.org_level = 'icb' then icb_regions.region_code
        when summed.org_level = 'nhs_region' then summed.unit_code
    end as region_code,
    summed.period_start,
    summed.period_end,
    summed.period_label,
    summed.numerator,
    summed.denominator,
    case
        when summed.denominator > 0 then indicators.multiplier * summed.numerator / summed.denominator
    end as value,
    case when summed.denominator > 0 then 'derived' else 'missing' end as value_status,
    summed.release_sha256,
    summed.release_label,
    cast(null as varchar) as org_unit_name,
    summed.breakdown,
    false as is_split_mapped,
    cast(null as varchar) as icb_code_as_published,
    cast(null as varchar) as region_code_as_published,
    case when summed.org_level = 'cancer_alliance' then summed.unit_code end as cancer_alliance_code,
    case when summed.org_level = 'isdn' then summed.unit_code end as isdn_code,
    cast(null as varchar) as unmapped_reason,
    summed.derived_from_count
from summed
inner join {{ ref('int_indicators') }} as indicators on summed.indicator_id = indicators.indicator_id
left join icb_regions on summed.unit_code = icb_regions.icb_code and summed.org_level = 'icb'
