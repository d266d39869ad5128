-- Every organisation the marts can refer to, one row per code, with its latest name and today's
-- place in the geography:
-- * NHS trusts (every etr vintage), Welsh health boards (reviewed name overrides, OPEN UK list);
-- * CCGs / Sub-ICB locations, STPs / ICBs (including those formed in April 2026) and NHS England
--   regions (ONS lookups, geography changes); England;
-- * GP practices, other prescribing cost centres and PCNs (QOF geography, epraccur);
-- * Cancer Alliances (CAL21, NCPES 2022, CAL24), ISDNs, paediatric epilepsy and diabetes networks,
--   Health Innovation Networks;
-- * provider codes a source publishes that no reference file lists (old trusts that closed before
--   2016, independent providers, the odd PCT), named as last published.
-- icb_code / region_code are where the organisation sits today (NULL when nowhere, e.g. Welsh);
-- successor_org_code is the code its activity is reported under today (NULL when itself).
with trusts as (
    select * from {{ ref('int_trusts__current_attributes') }}
),

geography as (
    select * from {{ ref('int_geography__orgs') }}
),

successors as (
    select * from {{ ref('int_org_successor_paths') }}
),

current_memberships as (
    select * from {{ ref('int_org_memberships') }}
    where valid_from <= current_date and (valid_to is null or valid_to >= current_date)
),

qof as (
    select * from {{ ref('stg_qof__practice_geography') }}
),

epraccur as (
    select * from {{ ref('stg_ods__practices') }}
    qualify row_number() over (partition by practice_code order by vintage_date desc) = 1
),

networks as (
    select * from {{ ref('int_geography__networks') }}
),

-- Codes a source publishes that no reference file lists: providers (named as last published, or by
-- their code when the source publishes no names, as Cancer Waiting Times does) and commissioners
-- below England that are not Sub-ICB locations (e.g. NHS England's commissioning hubs in CWT).
published_providers as (
    select
        org_code_published as org_code,
        case when org_level = 'sub_icb' then 'commissioner' else org_level end as org_level,
        coalesce(org_unit_name, org_code_published) as org_name
    from {{ ref('int_indicator_values') }}
    where
        org_level in ('trust', 'independent_provider', 'other_provider', 'sub_icb')
        and org_code_published is not null
    qualify
        row_number() over (
            partition by org_code_published
            order by org_unit_name is null, period_end desc, release_label desc, org_unit_name asc
        ) = 1
),

-- ONS administrative regions a source publishes under their ONS code (Fingertips: London E12000007),
-- named as last published; not NHS England regions, above any ICB.
published_ons_regions as (
    select
        org_code_published as org_code,
        coalesce(org_unit_name, org_code_published) as org_name
    from {{ ref('int_indicator_values') }}
    where org_level = 'ons_region' and org_code_published is not null
    qualify
        row_number() over (
            partition by org_code_published
            order by org_unit_name is null, period_end desc, release_label desc, org_unit_name asc
        ) = 1
),

welsh_health_boards as (
    select
        org_code,
        min(published_name) as org_name
    from {{ ref('org_name_overrides') }}
    where org_code like '7A%'
    group by org_code
),

practices as (
    select
        qof.practice_code as org_code,
        qof.practice_name as org_name,
        qof.pcn_ods_code as parent_org_code,
        max(qof.period_end) over (partition by qof.practice_code) as last_period_end,
        min(qof.period_start) over (partition by qof.practice_code) as first_period_start
    from qof
    qualify row_number() over (partition by qof.practice_code order by qof.period_start desc) = 1
),

pcns as (
    select
        pcn_ods_code as org_code,
        pcn_name as org_name,
        sicbl_ods_code as parent_org_code,
        min(period_start) over (partition by pcn_ods_code) as valid_from,
        max(period_end) over (partition by pcn_ods_code) as last_period_end
    from qof
    where pcn_ods_code is not null
    qualify row_number() over (partition by pcn_ods_code order by period_start desc, practice_code asc) = 1
),

all_orgs as (
    select
        org_code,
        org_name,
        'trust' as org_type,
        'provider' as org_level,
        open_date as valid_from,
        close_date,
        cast(null as varchar) as ons_code
    from trusts

    union all

    select
        org_code,
        org_name,
        'welsh_health_board' as org_type,
        'provider' as org_level,
        null as valid_from,
        null as close_date,
        null as ons_code
    from welsh_health_boards
    where org_code not in (select trusts.org_code from trusts)

    union all

    select
        org_code,
        org_name,
        org_type,
        org_type as org_level,
        valid_from,
        valid_to as close_date,
        ons_code
    from geography

    union all

    select
        '{{ var("england_code") }}' as org_code,
        'England' as org_name,
        'country' as org_type,
        'country' as org_level,
        null as valid_from,
        null as close_date,
        '{{ var("england_code") }}' as ons_code

    union all

    select
        org_code,
        org_name,
        'ons_region' as org_type,
        'ons_region' as org_level,
        null as valid_from,
        null as close_date,
        org_code as ons_code
    from published_ons_regions

    union all

    select
        practices.org_code,
        coalesce(epraccur.practice_name, practices.org_name) as org_name,
        'practice' as org_type,
        'practice' as org_level,
        coalesce(epraccur.open_date, practices.first_period_start) as valid_from,
        coalesce(
            epraccur.close_date,
            case
                when practices.last_period_end < (select max(qof.period_end) from qof) then practices.last_period_end
            end
        ) as close_date,
        null as ons_code
    from practices
    left join epraccur on practices.org_code = epraccur.practice_code

    union all

    select
        practice_code as org_code,
        practice_name as org_name,
        case when is_gp_practice then 'practice' else 'prescribing_cost_centre' end as org_type,
        case when is_gp_practice then 'practice' else 'prescribing_cost_centre' end as org_level,
        open_date as valid_from,
        close_date,
        null as ons_code
    from epraccur
    where
        practice_code not in (select practices.org_code from practices)
        and practice_code not in (select trusts.org_code from trusts)

    union all

    select
        org_code,
        org_name,
        'pcn' as org_type,
        'pcn' as org_level,
        valid_from,
        case when last_period_end < (select max(qof.period_end) from qof) then last_period_end end as close_date,
        null as ons_code
    from pcns

    union all

    select
        org_code,
        org_name,
        org_type,
        org_type as org_level,
        valid_from,
        valid_to as close_date,
        ons_code
    from networks

    union all

    select
        org_code,
        org_name,
        org_level as org_type,
        case when org_level = 'commissioner' then 'commissioner' else 'provider' end as org_level,
        null as valid_from,
        null as close_date,
        null as ons_code
    from published_providers
    where
        org_code not in (select trusts.org_code from trusts)
        and org_code not in (select geography.org_code from geography)
        and org_code not in (select epraccur.practice_code from epraccur)
),

-- Today's parent: the ICB for trusts and Sub-ICB locations, the region for ICBs, the Sub-ICB
-- location for practices and cost centres, the PCN for practices when known.
current_parent as (
    select
        org_code,
        parent_code
    from current_memberships
    qualify
        row_number() over (
            partition by org_code
            order by
                case parent_type
                    when 'pcn' then 1 when 'sub_icb' then 2 when 'icb' then 3 when 'nhs_region' then 4 else 5
                end,
                valid_from desc
        ) = 1
),

current_icb as (
    select
        org_code,
        parent_code as icb_code
    from current_memberships
    where parent_type = 'icb'
    qualify row_number() over (partition by org_code order by org_type = 'trust' desc, valid_from desc) = 1
),

icb_regions as (
    select
        org_code as icb_code,
        parent_code as region_code
    from current_memberships
    where org_type = 'icb' and parent_type = 'nhs_region'
),

parents as (
    select
        all_orgs.org_code,
        all_orgs.org_type,
        coalesce(
            current_parent.parent_code,
            case when all_orgs.org_type = 'pcn' then pcns.parent_org_code end,
            networks.parent_org_code
        ) as published_parent_code
    from all_orgs
    left join current_parent on all_orgs.org_code = current_parent.org_code
    left join pcns on all_orgs.org_code = pcns.org_code and all_orgs.org_type = 'pcn'
    left join networks on all_orgs.org_code = networks.org_code and all_orgs.org_type = networks.org_type
),

listed_orgs as (
    select distinct org_code from all_orgs
),

-- A parent code is followed to its successor (e.g. a cost centre still filed under a CCG that
-- merged in 2020) and kept only when it is an organisation listed here: Welsh parents such as Q99
-- or the Powys health board are not.
resolved_parents as (
    select
        parents.org_code,
        parents.org_type,
        listed_parent.org_code as parent_org_code
    from parents
    left join successors as parent_successor on parents.published_parent_code = parent_successor.org_code
    inner join listed_orgs as listed_parent
        on coalesce(parent_successor.current_org_code, parents.published_parent_code) = listed_parent.org_code
)

select
    all_orgs.org_code,
    all_orgs.org_name,
    all_orgs.org_type,
    resolved_parents.parent_org_code,
    all_orgs.valid_from,
    coalesce(
        all_orgs.close_date,
        cast(successors.successor_effective_date - interval 1 day as date)
    ) as valid_to,
    nullif(coalesce(successors.current_org_code, networks.successor_org_code), all_orgs.org_code) as successor_org_code,
    all_orgs.ons_code,
    all_orgs.org_level,
    case
        when all_orgs.org_type = 'icb' and all_orgs.close_date is null then all_orgs.org_code
        else current_icb.icb_code
    end as icb_code,
    case
        when all_orgs.org_type = 'nhs_region' then all_orgs.org_code
        when all_orgs.org_type = 'icb' and all_orgs.close_date is null then own_region.region_code
        else icb_regions.region_code
    end as region_code,
    coalesce(successors.current_org_code, networks.successor_org_code, all_orgs.org_code) as current_org_code
from all_orgs
left join successors on all_orgs.org_code = successors.org_code
left join resolved_parents
    on all_orgs.org_code = resolved_parents.org_code and all_orgs.org_type = resolved_parents.org_type
left join current_icb on all_orgs.org_code = current_icb.org_code
left join icb_regions on current_icb.icb_code = icb_regions.icb_code
left join icb_regions as own_region on all_orgs.org_code = own_region.icb_code
left join networks on all_orgs.org_code = networks.org_code and all_orgs.org_type = networks.org_type
