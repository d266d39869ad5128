-- Classifies every provider code published by SHMI or A&E: 'trust' when the code, or the code it
-- resolves to through ODS successions, is in an etr vintage, or when SHMI publishes an NHS trust
-- R-code that closed before the earliest etr vintage (e.g. RYQ South London Healthcare, dissolved
-- 2013 with no single successor); otherwise 'independent_provider' for A&E (walk-in centres,
-- independent sector) and 'other_provider' for anything else (e.g. the Isle of Wight PCT, 5QT, in
-- the first SHMI releases).
with published as (
    select distinct
        provider_code as org_code,
        'shmi' as source_id
    from {{ ref('stg_shmi__trust_releases') }}
    union all
    select distinct
        org_code,
        'ae_monthly' as source_id
    from {{ ref('stg_ae__provider_months') }}
    where not is_total_row
),

etr_codes as (
    select distinct org_code from {{ ref('stg_ods__trusts') }}
),

successors as (
    select
        org_code,
        current_org_code
    from {{ ref('int_org_successor_paths') }}
)

select
    published.source_id,
    published.org_code,
    case
        when etr_codes.org_code is not null or resolved_etr.org_code is not null then 'trust'
        when published.source_id = 'shmi' and published.org_code like 'R%' then 'trust'
        when published.source_id = 'ae_monthly' then 'independent_provider'
        else 'other_provider'
    end as org_level
from published
left join etr_codes on published.org_code = etr_codes.org_code
left join successors on published.org_code = successors.org_code
left join etr_codes as resolved_etr on successors.current_org_code = resolved_etr.org_code
