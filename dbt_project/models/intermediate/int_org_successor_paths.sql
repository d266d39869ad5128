-- Each ODS code's path through ODS successions to the code current today.
--
-- Rules (documented in _intermediate.yml):
-- * Only successions effective on or before today are followed (ODS succ, plus those recorded in
--   seeds/geography_changes.csv).
-- * One edge per predecessor: the latest effective date wins; on a split (one predecessor, several
--   successors on that date) the successor with the largest share recorded in
--   seeds/geography_changes.csv is taken, else the first in code order, so activity of the
--   predecessor is counted once, under one successor, and the row is flagged is_split.
-- * Chains are followed (A -> B -> C resolves A to C). A code seen again on its own path is a
--   cycle: the walk stops and the code resolves to itself (has_cycle). The walk also stops at
--   var('successor_max_depth') steps (hit_depth_cap) and resolves to the last code reached.
with recursive

-- ODS successions, plus the successions seeds/geography_changes.csv records that ODS does not (e.g.
-- Frimley Sub-ICB location D4U1Y, closed in April 2026 and split three ways).
successions as (
    select
        predecessor_code,
        successor_code,
        effective_date
    from {{ ref('stg_ods__successions') }}
    where effective_date <= current_date

    union

    select
        old_code as predecessor_code,
        new_code as successor_code,
        effective_date
    from {{ ref('geography_changes') }}
    where effective_date <= current_date and old_code <> new_code
),

-- Shares of a split recorded in seeds/geography_changes.csv (e.g. Frimley ICB QNQ, April 2026).
recorded_shares as (
    select
        old_code,
        new_code,
        effective_date,
        successor_share
    from {{ ref('geography_changes') }}
),

edges as (
    select
        successions.predecessor_code,
        successions.successor_code,
        successions.effective_date,
        count(*) over (partition by successions.predecessor_code, successions.effective_date) > 1 as is_split,
        list(successions.successor_code) over (
            partition by successions.predecessor_code, successions.effective_date
            order by successions.successor_code
            rows between unbounded preceding and unbounded following
        ) as split_successor_codes
    from successions
    left join recorded_shares
        on
            successions.predecessor_code = recorded_shares.old_code
            and successions.successor_code = recorded_shares.new_code
            and successions.effective_date = recorded_shares.effective_date
    where successions.predecessor_code <> successions.successor_code
    qualify
        row_number() over (
            partition by successions.predecessor_code
            order by
                successions.effective_date desc,
                recorded_shares.successor_share desc nulls last,
                successions.successor_code asc
        ) = 1
),

walk (
    start_code, first_successor_code, first_effective_date, current_code, walked_codes, steps, is_split, has_cycle
) as (
    select
        predecessor_code as start_code,
        successor_code as first_successor_code,
        effective_date as first_effective_date,
        successor_code as current_code,
        [predecessor_code, successor_code] as walked_codes,
        1 as steps,
        is_split,
        false as has_cycle
    from edges

    union all

    select
        walk.start_code,
        walk.first_successor_code,
        walk.first_effective_date,
        next_edge.successor_code as current_code,
        list_append(walk.walked_codes, next_edge.successor_code) as walked_codes,
        walk.steps + 1 as steps,
        walk.is_split or next_edge.is_split as is_split,
        list_contains(walk.walked_codes, next_edge.successor_code) as has_cycle
    from walk
    inner join edges as next_edge on walk.current_code = next_edge.predecessor_code
    where
        not walk.has_cycle
        and walk.steps < {{ var('successor_max_depth') }}
),

last_step as (
    select *
    from walk
    qualify row_number() over (partition by start_code order by steps desc) = 1
),

resolved as (
    select
        last_step.start_code as org_code,
        last_step.first_successor_code as successor_org_code,
        last_step.first_effective_date as successor_effective_date,
        case when last_step.has_cycle then last_step.start_code else last_step.current_code end as current_org_code,
        array_to_string(last_step.walked_codes, ' > ') as successor_path,
        last_step.steps as chain_length,
        last_step.is_split,
        chosen_edge.split_successor_codes,
        last_step.has_cycle,
        not last_step.has_cycle and last_step.steps >= {{ var('successor_max_depth') }} as hit_depth_cap
    from last_step
    inner join edges as chosen_edge on last_step.start_code = chosen_edge.predecessor_code
),

-- Codes that only ever appear as successors are current: they map to themselves.
terminal_codes as (
    select distinct successor_edges.successor_code as org_code
    from edges as successor_edges
    where
        successor_edges.successor_code not in (
            select predecessor_edges.predecessor_code from edges as predecessor_edges
        )
)

select * from resolved

union all

select
    org_code,
    null as successor_org_code,
    null as successor_effective_date,
    org_code as current_org_code,
    org_code as successor_path,
    0 as chain_length,
    false as is_split,
    null as split_successor_codes,
    false as has_cycle,
    false as hit_depth_cap
from terminal_codes
