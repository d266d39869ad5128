-- One row per Sub-ICB location per ONS lookup vintage, with its ICB and NHS England region.
-- ODS codes are the stable keys; ONS codes can change between vintages for the same body.
with source as (
    select * from {{ latest_release_files(source('raw', 'ons_sicbl_icb_nhser')) }}
)

select
    trim(sicbl_ods_code) as sicbl_ods_code,
    trim(sicbl_ons_code) as sicbl_ons_code,
    trim(sicbl_name) as sicbl_name,
    trim(icb_ods_code) as icb_ods_code,
    trim(icb_ons_code) as icb_ons_code,
    trim(icb_name) as icb_name,
    trim(nhser_ods_code) as nhser_ods_code,
    trim(nhser_ons_code) as nhser_ons_code,
    trim(nhser_name) as nhser_name,
    cast(lookup_date as date) as lookup_date,
    lookup_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
