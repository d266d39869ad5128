-- Health Innovation Networks (formerly AHSNs): one row per ICB (42, pre-April-2026 codes).
with source as (
    select * from {{ latest_release_files(source('raw', 'hin_icbs')) }}
)

select
    hin_code,
    hin_name,
    icb_ods_code,
    icb_ons_code,
    icb_name,
    cast(lookup_date as date) as lookup_date,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
