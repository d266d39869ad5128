-- ONS Cancer Alliance codes and names (CAL24, via postcodes.io), one row per alliance.
with source as (
    select * from {{ latest_release_files(source('raw', 'ons_cancer_alliances')) }}
)

select
    cancer_alliance_ons_code,
    cancer_alliance_name,
    cast(lookup_date as date) as lookup_date,
    lookup_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
