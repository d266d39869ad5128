-- QOF "Mapping NHS geographies": one row per GP practice per QOF year, with its PCN, Sub-ICB
-- location, ICB and NHS England region as the year closed (31 March).
with source as (
    select * from {{ latest_release_files(source('raw', 'qof_practice_geography')) }}
)

select
    upper(practice_code) as practice_code,
    practice_name,
    -- QOF files practices outside any PCN under the code 'U' ("Unallocated"): no PCN.
    nullif(pcn_ods_code, 'U') as pcn_ods_code,
    case when pcn_ods_code <> 'U' then pcn_name end as pcn_name,
    sicbl_ods_code,
    sicbl_ons_code,
    sicbl_name,
    icb_ods_code,
    icb_ons_code,
    icb_name,
    region_ods_code,
    region_ons_code,
    region_name,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    period_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
