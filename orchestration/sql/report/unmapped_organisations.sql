-- Organisations each source published that could not be placed on today's ICB, most rows first.
select
    source_id,
    org_code_published,
    org_code,
    org_level,
    unmapped_reason,
    org_unit_names,
    fact_rows,
    first_period_start,
    last_period_end
from marts.unmapped_organisations
order by source_id, fact_rows desc, org_code_published
