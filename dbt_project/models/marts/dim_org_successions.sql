-- Each ODS code's path through ODS successions to the code current today (e.g. RGC > R1H), with
-- the split and cycle flags. Codes absent here map to themselves.
select
    org_code,
    successor_org_code,
    successor_effective_date,
    current_org_code,
    successor_path,
    chain_length,
    is_split,
    split_successor_codes,
    has_cycle,
    hit_depth_cap
from {{ ref('int_org_successor_paths') }}
