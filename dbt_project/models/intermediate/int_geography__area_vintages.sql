-- The commissioning geography as it stood at each vintage: one row per Sub-ICB location (or, in
-- April 2021, CCG) with its ICB (STP in 2021, same Q-code family) and NHS England region.
--
-- Vintages, oldest first:
-- * April 2021, ONS CCG -> STP -> Cancer Alliance lookup (no regions: each STP takes the region its
--   ICB had in the first ONS Sub-ICB lookup, flagged region_is_backcast);
-- * every ONS Sub-ICB -> ICB -> region lookup in sources.yml (July 2022, April 2023, April 2024...);
-- * one vintage per effective date in seeds/geography_changes.csv after the latest ONS lookup and on
--   or before today: the latest lookup with those changes applied (new parents, splits, new ICBs).
--   When ONS publishes the lookup for that geography, add it to sources.yml; it then takes over.
with ons_lookups as (
    select * from {{ ref('stg_ons__sicbl_icb_nhser') }}
),

ccg_lookup as (
    select * from {{ ref('stg_ons__ccg_stp_cancer_alliance') }}
),

changes as (
    select * from {{ ref('geography_changes') }}
    where effective_date <= current_date
),

first_ons_regions as (
    select distinct
        icb_ods_code,
        nhser_ods_code,
        nhser_ons_code,
        nhser_name
    from ons_lookups
    where lookup_date = (select min(earliest.lookup_date) from ons_lookups as earliest)
),

ons_vintages as (
    select
        lookup_date as vintage_date,
        lookup_label as vintage_label,
        'ons_sicbl_icb_nhser' as basis,
        sicbl_ods_code,
        sicbl_ons_code,
        sicbl_name,
        icb_ods_code,
        icb_ons_code,
        icb_name,
        nhser_ods_code as region_ods_code,
        nhser_ons_code as region_ons_code,
        nhser_name as region_name,
        false as region_is_backcast,
        false as parent_is_changed,
        false as icb_is_new
    from ons_lookups
),

ccg_vintage as (
    select
        ccg_lookup.lookup_date as vintage_date,
        ccg_lookup.lookup_label as vintage_label,
        'ons_ccg_stp_cancer_alliance' as basis,
        ccg_lookup.ccg_ods_code as sicbl_ods_code,
        ccg_lookup.ccg_ons_code as sicbl_ons_code,
        ccg_lookup.ccg_name as sicbl_name,
        ccg_lookup.stp_ods_code as icb_ods_code,
        ccg_lookup.stp_ons_code as icb_ons_code,
        ccg_lookup.stp_name as icb_name,
        first_ons_regions.nhser_ods_code as region_ods_code,
        first_ons_regions.nhser_ons_code as region_ons_code,
        first_ons_regions.nhser_name as region_name,
        first_ons_regions.icb_ods_code is not null as region_is_backcast,
        false as parent_is_changed,
        false as icb_is_new
    from ccg_lookup
    left join first_ons_regions on ccg_lookup.stp_ods_code = first_ons_regions.icb_ods_code
    where ccg_lookup.lookup_date < (select min(ons_lookups.lookup_date) from ons_lookups)
),

latest_ons as (
    select * from ons_vintages
    where vintage_date = (select max(latest_lookup.vintage_date) from ons_vintages as latest_lookup)
),

change_dates as (
    select distinct effective_date
    from changes
    where
        org_type in ('icb', 'sub_icb')
        and effective_date > (select max(latest_ons.vintage_date) from latest_ons)
),

-- On a split the predecessor's whole footprint goes to the successor with the largest share.
primary_successors as (
    select
        change_dates.effective_date as vintage_date,
        changes.org_type,
        changes.old_code,
        changes.new_code,
        changes.new_name,
        nullif(changes.new_ons_code, '') as new_ons_code,
        nullif(changes.new_parent_code, '') as new_parent_code
    from change_dates
    inner join changes on change_dates.effective_date >= changes.effective_date
    where
        changes.org_type in ('icb', 'sub_icb')
        and changes.effective_date > (select max(latest_ons.vintage_date) from latest_ons)
    qualify
        row_number() over (
            partition by change_dates.effective_date, changes.org_type, changes.old_code
            order by changes.effective_date desc, changes.successor_share desc, changes.new_code asc
        ) = 1
),

-- Sub-ICB locations after the changes: unchanged ones, re-parented ones, and each successor of a
-- closed one (a successor that already existed keeps one row: its own).
changed_sicbls as (
    select
        change_dates.effective_date as vintage_date,
        coalesce(sicbl_change.new_code, latest_ons.sicbl_ods_code) as sicbl_ods_code,
        case
            when sicbl_change.new_code is null or sicbl_change.new_code = latest_ons.sicbl_ods_code
                then latest_ons.sicbl_ons_code
        end as latest_sicbl_ons_code,
        sicbl_change.new_ons_code as changed_sicbl_ons_code,
        coalesce(sicbl_change.new_name, latest_ons.sicbl_name) as sicbl_name,
        coalesce(sicbl_change.new_parent_code, icb_change.new_code, latest_ons.icb_ods_code) as icb_ods_code,
        latest_ons.sicbl_ods_code as predecessor_sicbl_ods_code
    from change_dates
    cross join latest_ons
    left join primary_successors as sicbl_change
        on
            change_dates.effective_date = sicbl_change.vintage_date
            and sicbl_change.org_type = 'sub_icb'
            and latest_ons.sicbl_ods_code = sicbl_change.old_code
    left join primary_successors as icb_change
        on
            change_dates.effective_date = icb_change.vintage_date
            and icb_change.org_type = 'icb'
            and latest_ons.icb_ods_code = icb_change.old_code
),

-- Successors of a split that were not Sub-ICB locations before (e.g. U2G6B from Frimley's D4U1Y)
-- are added from the changes table even when they are not the primary successor.
new_sicbls as (
    select distinct
        change_dates.effective_date as vintage_date,
        changes.new_code as sicbl_ods_code,
        nullif(changes.new_ons_code, '') as sicbl_ons_code,
        changes.new_name as sicbl_name,
        changes.new_parent_code as icb_ods_code
    from change_dates
    inner join changes
        on
            change_dates.effective_date >= changes.effective_date
            and changes.effective_date > (select max(latest_ons.vintage_date) from latest_ons)
    where
        changes.org_type = 'sub_icb'
        and changes.new_code not in (select latest_ons.sicbl_ods_code from latest_ons)
),

derived_sicbls as (
    select
        vintage_date,
        sicbl_ods_code,
        coalesce(changed_sicbl_ons_code, latest_sicbl_ons_code) as sicbl_ons_code,
        sicbl_name,
        icb_ods_code
    from changed_sicbls
    where sicbl_ods_code not in (select new_sicbls.sicbl_ods_code from new_sicbls)
    qualify row_number() over (partition by vintage_date, sicbl_ods_code order by predecessor_sicbl_ods_code) = 1

    union all

    select
        vintage_date,
        sicbl_ods_code,
        sicbl_ons_code,
        sicbl_name,
        icb_ods_code
    from new_sicbls
),

-- ICB names and ONS codes after the changes: the changes table's for new or recoded ICBs, else the
-- latest lookup's.
derived_icbs as (
    select distinct
        icb_ods_code,
        icb_ons_code,
        icb_name,
        region_ods_code
    from latest_ons
    where icb_ods_code not in (
            select changes.new_code from changes
            where changes.org_type = 'icb'
        )

    union all

    select distinct
        new_code as icb_ods_code,
        nullif(new_ons_code, '') as icb_ons_code,
        new_name as icb_name,
        new_parent_code as region_ods_code
    from changes
    where org_type = 'icb'
),

regions as (
    select distinct
        region_ods_code,
        region_ons_code,
        region_name
    from latest_ons
),

changes_vintages as (
    select
        derived_sicbls.vintage_date,
        'ICB changes ' || strftime(derived_sicbls.vintage_date, '%B %Y') as vintage_label,
        'geography_changes' as basis,
        derived_sicbls.sicbl_ods_code,
        derived_sicbls.sicbl_ons_code,
        derived_sicbls.sicbl_name,
        derived_sicbls.icb_ods_code,
        derived_icbs.icb_ons_code,
        derived_icbs.icb_name,
        derived_icbs.region_ods_code,
        regions.region_ons_code,
        regions.region_name,
        false as region_is_backcast,
        coalesce(derived_sicbls.icb_ods_code <> previous.icb_ods_code, true) as parent_is_changed,
        derived_sicbls.icb_ods_code not in (select latest_ons.icb_ods_code from latest_ons) as icb_is_new
    from derived_sicbls
    left join derived_icbs on derived_sicbls.icb_ods_code = derived_icbs.icb_ods_code
    left join regions on derived_icbs.region_ods_code = regions.region_ods_code
    left join latest_ons as previous on derived_sicbls.sicbl_ods_code = previous.sicbl_ods_code
)

select * from ccg_vintage
union all
select * from ons_vintages
union all
select * from changes_vintages
