-- One row per provider x commissioner x RTT part x treatment function per month, as published in
-- the NHS England RTT full extract (latest file of each release). Treatment function C_999 ('Total')
-- is the publisher's total of the group's other rows: flagged is_total_row, never a specialty.
-- The bundled June 2024 file is a subset truncated at 65,536 sheet rows, so the last provider in it is
-- incomplete: is_provider_truncated flags what can be detected (see the truncated CTE).
with source as (
    select * from {{ latest_release_files(source('raw', 'rtt')) }}
),

-- Every complete provider x commissioner x part group ends with its C_999 row. A provider is
-- flagged when one of its groups has none (the cut fell inside it), or when it holds the last row of
-- a file that stops exactly at sheet row 65,536 (the old Excel limit: the cut may fall just after a
-- C_999 row, with later commissioners missing).
truncated as (
    select
        _file_sha256,
        upper(trim(provider_org_code)) as provider_org_code
    from source
    group by _file_sha256, upper(trim(provider_org_code)), upper(trim(commissioner_org_code)), rtt_part_type
    having not bool_or(upper(trim(treatment_function_code)) = 'C_999')

    union

    select
        _file_sha256,
        upper(trim(provider_org_code)) as provider_org_code
    from source
    -- only when that row is the file's last: a full extract (~180k rows) passes row 65,536 mid-provider
    qualify source_row = 65536 and max(source_row) over (partition by _file_sha256) = 65536
)

select
    upper(trim(source.provider_org_code)) as provider_org_code,
    trim(source.provider_org_name) as provider_org_name,
    upper(trim(source.provider_parent_org_code)) as provider_parent_org_code,
    trim(source.provider_parent_name) as provider_parent_name,
    upper(trim(source.commissioner_org_code)) as commissioner_org_code,
    trim(source.commissioner_org_name) as commissioner_org_name,
    upper(trim(source.commissioner_parent_org_code)) as commissioner_parent_org_code,
    trim(source.rtt_part_type) as rtt_part_type,
    trim(source.rtt_part_description) as rtt_part_description,
    upper(trim(source.treatment_function_code)) as treatment_function_code,
    trim(source.treatment_function_name) as treatment_function_name,
    upper(trim(source.treatment_function_code)) = 'C_999' as is_total_row,
    truncated.provider_org_code is not null as is_provider_truncated,
    cast(source.gt_51_to_52_weeks as bigint) as gt_51_to_52_weeks,
    -- RTT is not suppressed and a band with no pathway is left blank, so no published band over 52
    -- weeks means none waited that long. New RTT periods (Part_3) have no waiting time: NULL.
    case
        when trim(source.rtt_part_type) = 'Part_3' then null
        else coalesce(cast(source.waits_over_52_weeks as bigint), 0)
    end as waits_over_52_weeks,
    cast(source.total as bigint) as total,
    cast(source.patients_with_unknown_clock_start as bigint) as patients_with_unknown_clock_start,
    cast(source.total_all as bigint) as total_all,
    -- Pathways with a known clock start: Total where published; the bundled file leaves Total (and
    -- the unknown-clock-start count) blank on incomplete pathways, where Total All is that number.
    coalesce(
        cast(source.total as bigint),
        cast(source.total_all as bigint) - coalesce(cast(source.patients_with_unknown_clock_start as bigint), 0)
    ) as total_known_clock_start,
    cast(source.period_start as date) as period_start,
    cast(source.period_end as date) as period_end,
    trim(source.period_label) as period_label,
    source._release as release_label,
    source._file_sha256 as release_sha256,
    source.source_row
from source
left join truncated
    on
        source._file_sha256 = truncated._file_sha256
        and upper(trim(source.provider_org_code)) = truncated.provider_org_code
