-- NCPES 2022 mapping: Sub-ICB location -> ICB -> Cancer Alliance (pre-2024 CAL codes), one row per
-- Sub-ICB location.
with source as (
    select * from {{ latest_release_files(source('raw', 'ncpes_sicbl_cancer_alliance')) }}
)

select
    sicbl_ods_code,
    sicbl_ons_code,
    sicbl_name,
    icb_ods_code,
    icb_ons_code,
    icb_name,
    cancer_alliance_ons_code,
    trim(regexp_replace(cancer_alliance_name, '\s*Cancer Alliance$', '')) as cancer_alliance_name,
    cast(lookup_date as date) as lookup_date,
    lookup_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
