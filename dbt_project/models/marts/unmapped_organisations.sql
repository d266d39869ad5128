-- Every published organisation whose values could not be placed on today's ICB, with the reason and
-- how many indicator values it holds, per source. Nothing is dropped silently: each published row of
-- fct_indicator_values has an icb_code or is counted here.
select
    source_id,
    org_code_published,
    org_code,
    org_level,
    unmapped_reason,
    string_agg(distinct org_unit_name, '; ' order by org_unit_name) as org_unit_names,
    count(*) as fact_rows,
    min(period_start) as first_period_start,
    max(period_end) as last_period_end
from {{ ref('fct_indicator_values') }}
-- rows a publisher gives above ICB level (England, regions, networks) need no ICB
where
    not is_derived
    and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn')
    and icb_code is null
group by source_id, org_code_published, org_code, org_level, unmapped_reason
