-- Paediatric diabetes units (site ODS code, NPDA PZ code) -> paediatric diabetes network (PNxx).
with source as (
    select * from {{ latest_release_files(source('raw', 'rcpch_diabetes_networks')) }}
)

select
    upper(unit_code) as unit_code,
    npda_code,
    network_name,
    network_code,
    cast(lookup_date as date) as lookup_date,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
