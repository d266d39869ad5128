-- Today's geography for every organisation code a source publishes: the code after following ODS
-- successions (current_org_code) and the ICB, NHS England region, Cancer Alliance and ISDN that
-- organisation belongs to today - everything re-expressed on the current ICBs, including the April
-- 2026 mergers. A code that cannot be placed on an ICB gets unmapped_reason (never a guess):
-- welsh_provider, independent_sector, closed_no_successor, unknown_code or no_current_icb.
with published as (
    select
        org_code_published as org_code,
        min(org_level) as org_level
    from {{ ref('int_indicator_values') }}
    where org_level <> 'country' and org_code_published is not null
    group by org_code_published
),

successors as (
    select * from {{ ref('int_org_successor_paths') }}
),

memberships as (
    select * from {{ ref('int_org_memberships') }}
    where valid_from <= current_date and (valid_to is null or valid_to >= current_date)
),

network_memberships as (
    select * from {{ ref('int_org_network_memberships') }}
    where valid_from <= current_date and (valid_to is null or valid_to >= current_date)
),

trusts as (
    select
        org_code,
        max(vintage_date) as last_vintage_date,
        max(close_date) as close_date,
        bool_or(region_code = 'W00' or host_geography_code = 'Q99') as is_welsh
    from {{ ref('stg_ods__trusts') }}
    group by org_code
),

practices as (
    select distinct practice_code as org_code from {{ ref('stg_ods__practices') }}
),

resolved as (
    select
        published.org_code as org_code_published,
        published.org_level,
        coalesce(successors.current_org_code, published.org_code) as current_org_code,
        coalesce(successors.is_split, false) as is_split_mapped
    from published
    left join successors on published.org_code = successors.org_code
),

-- A code may belong to an ICB directly (trust host, a published provider parent) or through a
-- Sub-ICB location (practices and other prescribing cost centres); prefer the direct relation. A
-- relation stated before an ICB closed (e.g. RTT naming QXU in 2024) follows the ICB's successor.
latest_icb as (
    select
        org_code,
        parent_code,
        basis as icb_basis
    from {{ ref('int_org_memberships') }}
    where parent_type = 'icb' and valid_from <= current_date
    qualify
        row_number() over (
            partition by org_code
            order by
                valid_to is null or valid_to >= current_date desc,
                org_type in ('trust', 'independent_provider') desc,
                valid_from desc
        ) = 1
),

current_icb as (
    select
        latest_icb.org_code,
        coalesce(icb_successor.current_org_code, latest_icb.parent_code) as icb_code,
        latest_icb.icb_basis
    from latest_icb
    left join successors as icb_successor on latest_icb.parent_code = icb_successor.org_code
),

current_sub_icb as (
    select
        org_code,
        parent_code as sub_icb_code
    from memberships
    where parent_type = 'sub_icb'
    qualify row_number() over (partition by org_code order by valid_from desc) = 1
),

icb_regions as (
    select
        org_code as icb_code,
        parent_code as region_code
    from memberships
    where org_type = 'icb' and parent_type = 'nhs_region'
),

network as (
    select
        org_code,
        parent_type,
        parent_code
    from network_memberships
    qualify row_number() over (partition by org_code, parent_type order by valid_from desc, parent_code asc) = 1
)

select
    resolved.org_code_published,
    resolved.current_org_code,
    resolved.org_level,
    resolved.is_split_mapped,
    coalesce(current_icb.icb_code, own_icb.icb_code) as icb_code,
    icb_regions.region_code,
    coalesce(org_alliance.parent_code, area_alliance.parent_code) as cancer_alliance_code,
    coalesce(org_isdn.parent_code, area_isdn.parent_code) as isdn_code,
    coalesce(current_icb.icb_basis, case when own_icb.icb_code is not null then 'the ICB itself' end) as icb_basis,
    case
        when coalesce(current_icb.icb_code, own_icb.icb_code) is not null then null
        -- Welsh health boards are 7A1-7A7 (a code such as 76A is an English commissioning hub)
        when trusts.is_welsh or resolved.current_org_code like '7A%' then 'welsh_provider'
        when trusts.close_date <= current_date then 'closed_no_successor'
        when resolved.org_level = 'independent_provider' then 'independent_sector'
        when trusts.org_code is null
            and practices.org_code is null
            and resolved.current_org_code = resolved.org_code_published
            then 'unknown_code'
        else 'no_current_icb'
    end as unmapped_reason
from resolved
left join current_icb on resolved.current_org_code = current_icb.org_code
-- An ICB published as itself (CVDPREVENT's ICB rows) is on today's ICB it is, or became through an
-- ODS succession (e.g. QHG -> S1Y5D, April 2026).
left join icb_regions as own_icb
    on resolved.org_level = 'icb' and resolved.current_org_code = own_icb.icb_code
left join icb_regions on coalesce(current_icb.icb_code, own_icb.icb_code) = icb_regions.icb_code
left join current_sub_icb on resolved.current_org_code = current_sub_icb.org_code
left join network as org_alliance
    on resolved.current_org_code = org_alliance.org_code and org_alliance.parent_type = 'cancer_alliance'
left join network as area_alliance
    on current_sub_icb.sub_icb_code = area_alliance.org_code and area_alliance.parent_type = 'cancer_alliance'
left join network as org_isdn
    on resolved.current_org_code = org_isdn.org_code and org_isdn.parent_type = 'isdn'
left join network as area_isdn
    on current_sub_icb.sub_icb_code = area_isdn.org_code and area_isdn.parent_type = 'isdn'
left join trusts on resolved.current_org_code = trusts.org_code
left join practices on resolved.current_org_code = practices.org_code
