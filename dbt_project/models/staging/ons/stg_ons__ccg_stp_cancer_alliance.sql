-- ONS April 2021 lookup: CCG -> STP -> Cancer Alliance (CAL21 codes), one row per CCG. CCG ODS codes
-- are the Sub-ICB location codes of July 2022 (most CCGs became Sub-ICB locations unchanged); STP
-- Q-codes became the ICB codes.
with source as (
    select * from {{ latest_release_files(source('raw', 'ons_ccg_stp_cancer_alliance')) }}
)

select
    ccg_ods_code,
    ccg_ons_code,
    ccg_name,
    stp_ods_code,
    stp_ons_code,
    stp_name,
    cancer_alliance_ons_code,
    cancer_alliance_name,
    cast(lookup_date as date) as lookup_date,
    lookup_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
