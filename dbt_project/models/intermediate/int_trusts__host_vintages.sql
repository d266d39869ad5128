-- Which ICB (before July 2022: STP, the same Q-code family; in the 2016 vintage: NHS England area
-- team) and NHS England region hosted each trust, per ODS etr vintage, plus one derived vintage per
-- ICB change in seeds/geography_changes.csv after the latest etr vintage and on or before today
-- (the trust's host ICB replaced by the successor with the largest share).
with trusts as (
    select * from {{ ref('stg_ods__trusts') }}
),

changes as (
    select * from {{ ref('geography_changes') }}
    where org_type = 'icb' and effective_date <= current_date
),

latest_vintage as (
    select max(vintage_date) as vintage_date from trusts
),

etr_vintages as (
    select
        org_code,
        vintage_date,
        release_label as vintage_label,
        'ods_etr' as basis,
        host_geography_code,
        case
            when host_geography_type = 'icb' then 'icb'
            when host_geography_code similar to 'Q[0-9]{2}' then 'area_team'
            else 'stp'
        end as host_geography_type,
        region_code,
        close_date
    from trusts
),

change_dates as (
    select distinct effective_date
    from changes
    where effective_date > (select latest_vintage.vintage_date from latest_vintage)
),

primary_successors as (
    select
        change_dates.effective_date as vintage_date,
        changes.old_code,
        changes.new_code,
        changes.new_parent_code
    from change_dates
    inner join changes
        on
            change_dates.effective_date >= changes.effective_date
            and changes.effective_date > (select latest_vintage.vintage_date from latest_vintage)
    qualify
        row_number() over (
            partition by change_dates.effective_date, changes.old_code
            order by changes.effective_date desc, changes.successor_share desc, changes.new_code asc
        ) = 1
),

changes_vintages as (
    select
        etr.org_code,
        change_dates.effective_date as vintage_date,
        'ICB changes ' || strftime(change_dates.effective_date, '%B %Y') as vintage_label,
        'geography_changes' as basis,
        coalesce(successor.new_code, etr.host_geography_code) as host_geography_code,
        etr.host_geography_type,
        coalesce(successor.new_parent_code, etr.region_code) as region_code,
        etr.close_date
    from etr_vintages as etr
    cross join change_dates
    left join primary_successors as successor
        on
            change_dates.effective_date = successor.vintage_date
            and etr.host_geography_code = successor.old_code
    where
        etr.vintage_date = (select latest_vintage.vintage_date from latest_vintage)
        and (etr.close_date is null or etr.close_date >= change_dates.effective_date)
)

select * from etr_vintages
union all
select * from changes_vintages
