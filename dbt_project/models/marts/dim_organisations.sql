-- One row per organisation code, latest name and today's place (see int_organisations): trusts, Welsh
-- health boards, CCGs / Sub-ICB locations, STPs / ICBs (incl. April 2026), NHS England regions, England,
-- GP practices and other prescribing cost centres, PCNs, Cancer Alliances, ISDNs, paediatric epilepsy
-- and diabetes networks, Health Innovation Networks, and providers seen only in published data.
-- dim_organisation_memberships says which parent each belonged to on any date.
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
