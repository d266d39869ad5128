-- RTT waiting times in the indicator shape: incomplete pathways (Part_2) at the end of the month,
-- per provider, summed over commissioners.
-- * rtt_52_week_waits: pathways waiting more than 52 weeks (count).
-- * rtt_share_over_52_weeks: those pathways / all incomplete pathways with a known clock start x 100.
-- breakdown 'all' comes from the publisher's C_999 ('Total') rows only; each other treatment function
-- is 'treatment_function:<code>'. The specialties are never added into 'all'.
-- A provider the truncated bundled file cuts off (is_provider_truncated) gets value NULL and status
-- 'missing': its published rows are incomplete, and an undercount must not pass as a figure.
-- The 18-week standard is not computed: the bundled subset has no bands under 51 weeks.
with incomplete as (
    select * from {{ ref('stg_rtt__provider_pathways') }}
    where rtt_part_type = 'Part_2'
),

etr_codes as (
    select distinct org_code from {{ ref('stg_ods__trusts') }}
),

-- 'trust' when the code, or the code it resolves to through ODS successions, is an NHS trust in
-- an etr vintage; otherwise an independent-sector provider or one of its sites.
levels as (
    select
        providers.provider_org_code,
        case
            when etr_codes.org_code is not null or resolved_etr.org_code is not null then 'trust'
            else 'independent_provider'
        end as org_level
    from (select distinct provider_org_code from incomplete) as providers
    left join etr_codes on providers.provider_org_code = etr_codes.org_code
    left join {{ ref('int_org_successor_paths') }} as successors
        on providers.provider_org_code = successors.org_code
    left join etr_codes as resolved_etr on successors.current_org_code = resolved_etr.org_code
),

by_breakdown as (
    select
        provider_org_code,
        max(provider_org_name) as provider_org_name,
        period_start,
        period_end,
        period_label,
        release_label,
        release_sha256,
        case
            when is_total_row then 'all'
            else 'treatment_function:' || treatment_function_code
        end as breakdown,
        sum(waits_over_52_weeks) as waits_over_52_weeks,
        sum(total_known_clock_start) as incomplete_pathways,
        bool_or(is_provider_truncated) as is_truncated
    from incomplete
    group by
        provider_org_code, period_start, period_end, period_label, release_label, release_sha256, breakdown
),

long_form as (
    select
        *,
        'rtt_52_week_waits' as indicator_id,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(waits_over_52_weeks as double) as indicator_value
    from by_breakdown
    union all
    select
        *,
        'rtt_share_over_52_weeks' as indicator_id,
        cast(waits_over_52_weeks as double) as numerator,
        cast(incomplete_pathways as double) as denominator,
        case
            when incomplete_pathways > 0 then 100.0 * waits_over_52_weeks / incomplete_pathways
        end as indicator_value
    from by_breakdown
)

select
    'rtt' as source_id,
    long_form.indicator_id,
    long_form.provider_org_code as org_code_published,
    levels.org_level,
    long_form.provider_org_name as org_unit_name,
    long_form.period_start,
    long_form.period_end,
    long_form.period_label,
    case when long_form.is_truncated then null else long_form.numerator end as numerator,
    case when long_form.is_truncated then null else long_form.denominator end as denominator,
    case when long_form.is_truncated then null else long_form.indicator_value end as value,
    case
        when long_form.is_truncated or long_form.indicator_value is null then 'missing'
        else 'published'
    end as value_status,
    long_form.release_sha256,
    long_form.release_label,
    long_form.breakdown,
    cast(null as varchar) as unmatched_reason
from long_form
left join levels on long_form.provider_org_code = levels.provider_org_code
