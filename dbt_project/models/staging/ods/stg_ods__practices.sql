-- ODS epraccur: GP practices and other prescribing cost centres, one row per code per vintage.
-- sicbl_code is the commissioner (Sub-ICB location); icb_code / region_code as ODS published them.
with source as (
    select * from {{ latest_release_files(source('raw', 'ods_epraccur')) }}
)

select
    upper(practice_code) as practice_code,
    practice_name,
    region_code,
    icb_code,
    sicbl_code,
    postcode,
    cast(open_date as date) as open_date,
    cast(close_date as date) as close_date,
    status_code,
    org_sub_type_code,
    prescribing_setting,
    -- ODS prescribing setting 4 = GP practice; the rest are walk-in centres, out of hours, prisons...
    coalesce(prescribing_setting = '4', false) as is_gp_practice,
    cast(join_provider_date as date) as join_provider_date,
    cast(left_provider_date as date) as left_provider_date,
    cast(vintage_date as date) as vintage_date,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
