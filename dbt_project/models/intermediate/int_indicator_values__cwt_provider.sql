-- Cancer Waiting Times by provider in the indicator shape: three indicators per provider-month,
-- cwt_28_day_fds, cwt_31_day_combined and cwt_62_day_combined (numerator = pathways within the
-- standard, denominator = all pathways, value = % within the standard).
--
-- The publisher's 31- and 62-day rows hold two views of the same pathways (by cancer type with
-- modality 'ALL MODALITIES', and by modality with cancer type 'ALL CANCERS'); adding both would count
-- every pathway twice. Only the 28-day FDS rows and the by-cancer-type rows are summed (they add up
-- to NHS England's national time series), giving
-- * breakdown 'all': every stage/route and cancer type of the provider, standard and month;
-- * breakdown 'cancer_type:<CANCER TYPE as published>': every stage/route of that cancer type.
-- Counts can be halves (a pathway shared by two providers). Providers are 'trust' when the code, or
-- the code it resolves to through ODS successions, is in an etr vintage; otherwise
-- 'independent_provider' (independent-sector N-codes). The extracts name no organisations and have
-- no England row: dim_organisations gives names, the roll-ups give ICB, region and England totals.
with provider_rows as (
    select * from {{ ref('stg_cwt__provider_months') }}
    where row_view in ('fds', 'cancer_type')
),

etr_codes as (
    select distinct org_code from {{ ref('stg_ods__trusts') }}
),

successors as (
    select
        org_code,
        current_org_code
    from {{ ref('int_org_successor_paths') }}
),

levels as (
    select
        published.org_code,
        case
            when etr_codes.org_code is not null or resolved_etr.org_code is not null then 'trust'
            else 'independent_provider'
        end as org_level
    from (select distinct org_code from provider_rows) as published
    left join etr_codes on published.org_code = etr_codes.org_code
    left join successors on published.org_code = successors.org_code
    left join etr_codes as resolved_etr on successors.current_org_code = resolved_etr.org_code
),

with_breakdowns as (
    select
        *,
        'all' as breakdown
    from provider_rows
    union all
    select
        *,
        'cancer_type:' || cancer_type as breakdown
    from provider_rows
),

summed as (
    select
        indicator_id,
        org_code,
        period_start,
        period_end,
        period_label,
        release_sha256,
        release_label,
        breakdown,
        sum(within_standard) as numerator,
        sum(total_treated) as denominator
    from with_breakdowns
    group by all
)

select
    'cwt_provider' as source_id,
    summed.indicator_id,
    summed.org_code as org_code_published,
    levels.org_level,
    cast(null as varchar) as org_unit_name,
    summed.period_start,
    summed.period_end,
    summed.period_label,
    summed.numerator,
    summed.denominator,
    case when summed.denominator > 0 then 100.0 * summed.numerator / summed.denominator end as value,
    case when summed.denominator > 0 then 'published' else 'missing' end as value_status,
    summed.release_sha256,
    summed.release_label,
    summed.breakdown,
    cast(null as varchar) as unmatched_reason
from summed
inner join levels on summed.org_code = levels.org_code
