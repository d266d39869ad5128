-- Published rows at ICB level and below of one source, and how many could not be placed on an ICB
-- (rows a publisher gives for England, regions or networks sit above any ICB).
select
    count(*) as published_rows,
    count(*) filter (where icb_code is null) as unmapped_rows
from marts.fct_indicator_values
where source_id = ? and not is_derived and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn')
