-- Published rows below England of one source, and how many of them could not be placed on an ICB.
select
    count(*) as published_rows,
    count(*) filter (where icb_code is null) as unmapped_rows
from marts.fct_indicator_values
where source_id = ? and not is_derived and org_level <> 'country'
