-- ODS successor pairs for every organisation type (trusts, sites, CCGs/Sub-ICBs, ICBs, practices).
with source as (
    select * from {{ latest_release_files(source('raw', 'ods_succ')) }}
)

select
    upper(trim(predecessor_code)) as predecessor_code,
    upper(trim(successor_code)) as successor_code,
    nullif(trim(reason), '') as succession_reason,
    cast(effective_date as date) as effective_date,
    nullif(trim(indicator_flag), '') as indicator_flag,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
