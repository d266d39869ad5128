-- SSNAP names teams and trusts but publishes no codes. This is the one place where published SSNAP
-- trust / health board names are matched to ODS trust codes:
-- 1. a reviewed override in seeds/org_name_overrides.csv wins (a blank org_code there records a
--    reviewed decision to leave the name unmatched, e.g. Welsh health boards, with the reason);
-- 2. otherwise the normalised published name is matched to the normalised names of every etr
--    vintage; when several codes carry that name the one from the latest vintage is taken.
-- Unmatched names keep org_code NULL and say why.
with published as (
    select distinct trust_name as published_name
    from {{ ref('stg_ssnap__team_measures') }}
    where not is_national and trust_name is not null
    union
    select distinct trust_name as published_name
    from {{ ref('stg_ssnap__org_audit_site_answers') }}
    where trust_name is not null
),

overrides as (
    select
        trim(published_name) as published_name,
        nullif(trim(org_code), '') as org_code,
        nullif(trim(unmapped_reason), '') as unmapped_reason,
        reviewed_by_note
    from {{ ref('org_name_overrides') }}
),

etr_names as (
    select
        {{ normalise_org_name('org_name') }} as normalised_name,
        org_code
    from {{ ref('stg_ods__trusts') }}
    qualify
        row_number() over (
            partition by {{ normalise_org_name('org_name') }}
            order by vintage_date desc, org_code asc
        ) = 1
),

matched as (
    select
        published.published_name,
        {{ normalise_org_name('published.published_name') }} as normalised_name,
        overrides.published_name is not null as has_override,
        overrides.org_code as override_org_code,
        overrides.unmapped_reason as override_unmapped_reason,
        overrides.reviewed_by_note,
        etr_names.org_code as name_match_org_code
    from published
    left join overrides on published.published_name = overrides.published_name
    left join etr_names on {{ normalise_org_name('published.published_name') }} = etr_names.normalised_name
)

select
    published_name,
    normalised_name,
    case when has_override then override_org_code else name_match_org_code end as org_code,
    case
        when has_override and override_org_code is not null then 'override'
        when has_override then 'reviewed_unmatched'
        when name_match_org_code is not null then 'normalised_name'
        else 'unmatched'
    end as match_method,
    case
        when has_override then reviewed_by_note
        when name_match_org_code is null then 'no etr vintage holds this normalised name; not yet reviewed'
    end as match_note,
    case
        when has_override and override_org_code is null then override_unmapped_reason
        when not has_override and name_match_org_code is null then 'unmatched_name'
    end as unmatched_reason
from matched
