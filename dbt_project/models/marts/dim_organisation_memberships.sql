-- Which parent each organisation belonged to, and when: one row per organisation x parent type x
-- span. Answers "which ICB was this practice / trust in on date D":
--   select parent_code from marts.dim_organisation_memberships
--   where org_code = 'RDU' and parent_type = 'icb'
--     and date '2019-06-30' between valid_from and coalesce(valid_to, date '9999-12-31')
select
    org_code,
    org_type,
    parent_type,
    parent_code,
    valid_from,
    valid_to,
    basis,
    is_inferred
from {{ ref('int_org_memberships') }}

union all

select
    org_code,
    org_type,
    parent_type,
    parent_code,
    valid_from,
    valid_to,
    basis,
    is_inferred
from {{ ref('int_org_network_memberships') }}
