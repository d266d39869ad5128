-- Per source: published rows, those below England without an ICB today, and derived roll-ups.
select
    source_id,
    count(*) filter (where not is_derived) as published_rows,
    count(*) filter (
        where not is_derived and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn') and icb_code is null
    ) as unmapped_rows,
    count(*) filter (where is_derived) as derived_rows
from marts.fct_indicator_values
group by source_id
order by source_id
