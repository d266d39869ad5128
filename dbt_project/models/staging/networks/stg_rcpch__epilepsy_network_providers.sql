-- OPEN UK paediatric epilepsy networks: one row per trust / health board (England and Wales).
with source as (
    select * from {{ latest_release_files(source('raw', 'rcpch_epilepsy_networks')) }}
)

select
    upper(provider_code) as provider_code,
    network_name,
    network_code,
    country,
    cast(lookup_date as date) as lookup_date,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
