-- Every organisation the marts can refer to, one row per org_code, with today's attributes:
-- * trusts from all etr vintages (attributes from the latest vintage holding the code);
-- * Sub-ICB locations, ICBs and NHS England regions from the ONS lookups (ODS code as org_code);
-- * England (E92000001);
-- * provider codes published by a source but absent from etr and the lookups (old trusts that closed
--   before the earliest etr vintage, independent providers, the odd PCT), named as last published.
-- successor_org_code is the code the organisation's activity is reported under today (after
-- following ODS successions), NULL when that is the organisation itself.
with trusts as (
    select * from {{ ref('int_trusts__current_attributes') }}
),

geography as (
    select * from {{ ref('int_geography__ons_orgs') }}
),

successors as (
    select * from {{ ref('int_org_successor_paths') }}
),

published_providers as (
    select
        org_code_published as org_code,
        org_level,
        org_unit_name as org_name
    from {{ ref('int_indicator_values') }}
    where org_level in ('trust', 'independent_provider', 'other_provider')
    qualify
        row_number() over (
            partition by org_code_published
            order by period_end desc, release_label desc, org_unit_name asc
        ) = 1
),

all_orgs as (
    select
        org_code,
        org_name,
        'trust' as org_type,
        'provider' as org_level,
        icb_code as parent_org_code,
        open_date as valid_from,
        close_date,
        cast(null as varchar) as ons_code,
        icb_code,
        region_code
    from trusts

    union all

    select
        org_code,
        org_name,
        org_type,
        org_type as org_level,
        parent_org_code,
        valid_from,
        valid_to as close_date,
        ons_code,
        icb_code,
        region_code
    from geography

    union all

    select
        '{{ var("england_code") }}' as org_code,
        'England' as org_name,
        'country' as org_type,
        'country' as org_level,
        null as parent_org_code,
        null as valid_from,
        null as close_date,
        '{{ var("england_code") }}' as ons_code,
        null as icb_code,
        null as region_code

    union all

    select
        org_code,
        org_name,
        org_level as org_type,
        'provider' as org_level,
        null as parent_org_code,
        null as valid_from,
        null as close_date,
        null as ons_code,
        null as icb_code,
        null as region_code
    from published_providers
    where
        org_code not in (select trusts.org_code from trusts)
        and org_code not in (select geography.org_code from geography)
)

select
    all_orgs.org_code,
    all_orgs.org_name,
    all_orgs.org_type,
    all_orgs.parent_org_code,
    all_orgs.valid_from,
    coalesce(
        all_orgs.close_date,
        cast(successors.successor_effective_date - interval 1 day as date)
    ) as valid_to,
    nullif(successors.current_org_code, all_orgs.org_code) as successor_org_code,
    all_orgs.ons_code,
    all_orgs.org_level,
    all_orgs.icb_code,
    all_orgs.region_code,
    coalesce(successors.current_org_code, all_orgs.org_code) as current_org_code
from all_orgs
left join successors on all_orgs.org_code = successors.org_code
