-- Every "belongs to" relation between organisations, with the dates it held:
-- sub_icb -> icb, icb -> nhs_region, trust -> icb / nhs_region / area_team, practice -> pcn /
-- sub_icb / icb, pcn -> sub_icb / icb (the Sub-ICB location of most of its practices), other
-- prescribing cost centres (walk-in centres, urgent care) -> sub_icb / icb,
-- independent-sector providers -> icb (the parent RTT publishes for them).
-- Network memberships (Cancer Alliance, ISDN, paediatric networks, HIN) are in
-- int_org_network_memberships.
--
-- Each reference vintage says what held on its date; a relation runs from that date to the day
-- before the next vintage of the same series, and consecutive vintages with the same parent are
-- merged into one span. valid_to NULL = still holds. is_inferred marks dates no file states
-- directly: the earliest STP vintage carried back to 1 April 2016 (STP footprints date from March
-- 2016; our earliest etr vintage listing them is 2021) and relations derived from
-- seeds/geography_changes.csv.
with area_vintages as (
    select * from {{ ref('int_geography__area_vintages') }}
),

trust_hosts as (
    select * from {{ ref('int_trusts__host_vintages') }}
),

qof as (
    select * from {{ ref('stg_qof__practice_geography') }}
),

epraccur as (
    select * from {{ ref('stg_ods__practices') }}
),

sicbl_changes as (
    select * from {{ ref('geography_changes') }}
    where org_type = 'sub_icb' and effective_date <= current_date
),

-- RTT publishes each provider's parent ICB. It is the only reference that places independent-sector
-- providers (codes not in ODS etr), so it is used for them alone; trusts keep their etr host.
rtt_provider_parents as (
    select distinct
        pathways.provider_org_code as org_code,
        pathways.provider_parent_org_code as parent_code,
        pathways.period_start as vintage_date
    from {{ ref('stg_rtt__provider_pathways') }} as pathways
    where
        pathways.provider_parent_org_code similar to 'Q[A-Z0-9]{2}'
        and pathways.provider_org_code not in (select etr.org_code from {{ ref('stg_ods__trusts') }} as etr)
),

-- A Sub-ICB location that closed in a split hands everything to its largest successor.
primary_split_successors as (
    select * from sicbl_changes
    where change_type = 'split'
    qualify row_number() over (partition by old_code order by successor_share desc, new_code asc) = 1
),

sicbl_change_dates as (
    select distinct dated_changes.effective_date
    from sicbl_changes as dated_changes
    where dated_changes.effective_date > (select max(latest_year.period_end) from qof as latest_year)
),

-- A PCN sits in the Sub-ICB location of most of its practices, year by year (QOF); after the latest
-- QOF year it follows that Sub-ICB location's largest successor, like its practices.
pcn_areas as (
    select
        pcn_ods_code,
        sicbl_ods_code,
        period_start,
        count(*) as practices
    from qof
    where pcn_ods_code is not null
    group by pcn_ods_code, sicbl_ods_code, period_start
    qualify row_number() over (partition by pcn_ods_code, period_start order by count(*) desc, sicbl_ods_code asc) = 1
),

-- series: the vintages that follow one another; a relation ends where the next vintage of its
-- series starts.
edges as (
    select
        'area' as series,
        sicbl_ods_code as org_code,
        'sub_icb' as org_type,
        'icb' as parent_type,
        icb_ods_code as parent_code,
        vintage_date,
        basis,
        parent_is_changed as is_inferred
    from area_vintages

    union all

    select distinct
        'area' as series,
        icb_ods_code as org_code,
        'icb' as org_type,
        'nhs_region' as parent_type,
        region_ods_code as parent_code,
        vintage_date,
        basis,
        icb_is_new or region_is_backcast as is_inferred
    from area_vintages
    where region_ods_code is not null

    union all

    select
        'etr' as series,
        org_code,
        'trust' as org_type,
        case when host_geography_type = 'area_team' then 'area_team' else 'icb' end as parent_type,
        host_geography_code as parent_code,
        vintage_date,
        basis,
        basis = 'geography_changes' as is_inferred
    from trust_hosts
    where host_geography_code is not null

    union all

    select
        'etr' as series,
        org_code,
        'trust' as org_type,
        'nhs_region' as parent_type,
        region_code as parent_code,
        vintage_date,
        basis,
        basis = 'geography_changes' as is_inferred
    from trust_hosts
    where region_code is not null

    union all

    select
        'qof' as series,
        practice_code as org_code,
        'practice' as org_type,
        'sub_icb' as parent_type,
        sicbl_ods_code as parent_code,
        period_start as vintage_date,
        'qof_practice_geography' as basis,
        false as is_inferred
    from qof

    union all

    select
        'rtt_parent' as series,
        org_code,
        'independent_provider' as org_type,
        'icb' as parent_type,
        parent_code,
        vintage_date,
        'rtt (provider parent)' as basis,
        false as is_inferred
    from rtt_provider_parents

    union all

    select
        'qof_pcn' as series,
        practice_code as org_code,
        'practice' as org_type,
        'pcn' as parent_type,
        pcn_ods_code as parent_code,
        period_start as vintage_date,
        'qof_practice_geography' as basis,
        false as is_inferred
    from qof
    where pcn_ods_code is not null

    union all

    -- After the latest QOF year, each Sub-ICB change date carries the latest year forward; the
    -- practices of a Sub-ICB location that closed in a split follow its largest successor.
    select
        'qof' as series,
        qof.practice_code as org_code,
        'practice' as org_type,
        'sub_icb' as parent_type,
        coalesce(successor.new_code, qof.sicbl_ods_code) as parent_code,
        change_dates.effective_date as vintage_date,
        case when successor.new_code is null then 'qof_practice_geography' else 'geography_changes' end as basis,
        successor.new_code is not null as is_inferred
    from qof
    cross join sicbl_change_dates as change_dates
    left join primary_split_successors as successor
        on
            qof.sicbl_ods_code = successor.old_code
            and change_dates.effective_date >= successor.effective_date
    where qof.period_start = (select max(latest.period_start) from qof as latest)

    union all

    select
        'qof_pcn_area' as series,
        pcn_ods_code as org_code,
        'pcn' as org_type,
        'sub_icb' as parent_type,
        sicbl_ods_code as parent_code,
        period_start as vintage_date,
        'qof_practice_geography (most of its practices)' as basis,
        false as is_inferred
    from pcn_areas

    union all

    select
        'qof_pcn_area' as series,
        pcn_areas.pcn_ods_code as org_code,
        'pcn' as org_type,
        'sub_icb' as parent_type,
        coalesce(successor.new_code, pcn_areas.sicbl_ods_code) as parent_code,
        change_dates.effective_date as vintage_date,
        case
            when successor.new_code is null then 'qof_practice_geography (most of its practices)'
            else 'geography_changes'
        end as basis,
        successor.new_code is not null as is_inferred
    from pcn_areas
    cross join sicbl_change_dates as change_dates
    left join primary_split_successors as successor
        on
            pcn_areas.sicbl_ods_code = successor.old_code
            and change_dates.effective_date >= successor.effective_date
    where pcn_areas.period_start = (select max(latest.period_start) from qof as latest)
),

merged as (
    select * from {{ membership_spans('edges') }}
),

trust_dates as (
    select
        org_code,
        min(open_date) as open_date,
        max(close_date) as close_date
    from {{ ref('stg_ods__trusts') }}
    group by org_code
),

-- The earliest STP span of a trust is carried back to April 2016 (or the trust's opening).
trusts_backcast as (
    select
        merged.org_code,
        merged.org_type,
        merged.parent_type,
        merged.parent_code,
        case
            when
                merged.parent_type = 'icb'
                and merged.valid_from = min(merged.valid_from)
                    over (
                        partition by merged.org_code, merged.parent_type
                    )
                and merged.valid_from > date '2016-04-01'
                then greatest(date '2016-04-01', coalesce(trust_dates.open_date, date '2016-04-01'))
            else merged.valid_from
        end as valid_from,
        least(merged.valid_to, trust_dates.close_date) as valid_to,
        merged.basis,
        merged.is_inferred
        or (
            merged.parent_type = 'icb'
            and merged.valid_from = min(merged.valid_from) over (partition by merged.org_code, merged.parent_type)
            and merged.valid_from > greatest(date '2016-04-01', coalesce(trust_dates.open_date, date '2016-04-01'))
        ) as is_inferred
    from merged
    inner join trust_dates on merged.org_code = trust_dates.org_code
    where
        merged.org_type = 'trust'
        -- etr keeps listing a trust for a while after it closes: a later vintage adds nothing
        and (trust_dates.close_date is null or merged.valid_from <= trust_dates.close_date)
),

-- Prescribing cost centres that QOF does not list (walk-in centres, urgent treatment centres, out
-- of hours services...): their commissioning Sub-ICB location per epraccur, while open. When that
-- Sub-ICB location later closed in a split, the cost centre follows its largest successor.
published_cost_centres as (
    select
        practice_code as org_code,
        case when is_gp_practice then 'practice' else 'prescribing_cost_centre' end as org_type,
        sicbl_code as parent_code,
        coalesce(open_date, vintage_date) as valid_from,
        close_date as valid_to
    from epraccur
    where
        sicbl_code is not null
        and practice_code not in (select qof.practice_code from qof)
    qualify row_number() over (partition by practice_code order by vintage_date desc) = 1
),

cost_centres as (
    select
        published_cost_centres.org_code,
        published_cost_centres.org_type,
        'sub_icb' as parent_type,
        published_cost_centres.parent_code,
        published_cost_centres.valid_from,
        case
            when
                split.effective_date is not null
                and coalesce(published_cost_centres.valid_to, date '9999-12-31') >= split.effective_date
                then cast(split.effective_date - interval 1 day as date)
            else published_cost_centres.valid_to
        end as valid_to,
        'ods_epraccur' as basis,
        false as is_inferred
    from published_cost_centres
    left join primary_split_successors as split on published_cost_centres.parent_code = split.old_code

    union all

    select
        published_cost_centres.org_code,
        published_cost_centres.org_type,
        'sub_icb' as parent_type,
        split.new_code as parent_code,
        split.effective_date as valid_from,
        published_cost_centres.valid_to,
        'ods_epraccur + geography_changes' as basis,
        true as is_inferred
    from published_cost_centres
    inner join primary_split_successors as split on published_cost_centres.parent_code = split.old_code
    where coalesce(published_cost_centres.valid_to, date '9999-12-31') >= split.effective_date
),

direct as (
    select
        org_code,
        org_type,
        parent_type,
        parent_code,
        valid_from,
        cast(valid_to as date) as valid_to,
        basis,
        is_inferred
    from merged
    where org_type <> 'trust'

    union all

    select
        org_code,
        org_type,
        parent_type,
        parent_code,
        valid_from,
        cast(valid_to as date) as valid_to,
        basis,
        is_inferred
    from trusts_backcast

    union all

    select * from cost_centres
),

-- Practices and cost centres belong to an ICB through their Sub-ICB location: the overlap of the
-- two spans.
via_sub_icb as (
    select
        member.org_code,
        member.org_type,
        'icb' as parent_type,
        area.parent_code,
        greatest(member.valid_from, area.valid_from) as valid_from,
        case
            when member.valid_to is null then area.valid_to
            when area.valid_to is null then member.valid_to
            else least(member.valid_to, area.valid_to)
        end as valid_to,
        member.basis || ' + ' || area.basis as basis,
        member.is_inferred or area.is_inferred as is_inferred
    from direct as member
    inner join direct as area
        on
            member.parent_code = area.org_code
            and area.org_type = 'sub_icb'
            and area.parent_type = 'icb'
            and member.valid_from <= coalesce(area.valid_to, date '9999-12-31')
            and area.valid_from <= coalesce(member.valid_to, date '9999-12-31')
    where member.org_type in ('practice', 'prescribing_cost_centre', 'pcn') and member.parent_type = 'sub_icb'
)

select * from direct
union all
select * from via_sub_icb
