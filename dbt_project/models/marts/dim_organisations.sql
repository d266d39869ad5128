-- One row per organisation code: trusts (every etr vintage), Sub-ICB locations, ICBs and NHS England
-- regions (ONS lookups, ODS codes), England, and providers seen only in published data.
-- Attributes are the latest known (see int_organisations).
select
    org_code,
    org_name,
    org_type,
    parent_org_code,
    valid_from,
    valid_to,
    successor_org_code,
    ons_code,
    org_level,
    icb_code,
    region_code
from {{ ref('int_organisations') }}
