-- NCL ICB analytics' provider -> Cancer Alliance mapping: one row per provider; alliances are named
-- (and carry ODS-style codes such as N69), non-acute providers have none.
with source as (
    select * from {{ latest_release_files(source('raw', 'ncl_provider_cancer_alliance')) }}
)

select
    upper(provider_code) as provider_code,
    provider_name,
    trim(regexp_replace(cancer_alliance_name, '\s*Cancer Alliance$', '')) as cancer_alliance_name,
    cancer_alliance_code as cancer_alliance_ods_code,
    notes,
    cast(lookup_date as date) as lookup_date,
    lookup_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
