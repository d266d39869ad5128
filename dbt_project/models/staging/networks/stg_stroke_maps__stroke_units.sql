-- Acute stroke units (England and Wales) with the SSNAP team name, the Sub-ICB location / Welsh
-- health board they sit in, and their ISDN.
with source as (
    select * from {{ latest_release_files(source('raw', 'stroke_units')) }}
)

select
    unit_postcode,
    stroke_team,
    nullif(ssnap_name, 'None (for 72h care)') as ssnap_name,
    hospital_city,
    coalesce(use_ivt = 1, false) as provides_thrombolysis,
    coalesce(use_mt = 1, false) as provides_thrombectomy,
    lsoa_code,
    area_ons_code,
    area_type,
    country,
    icb_ons_code,
    isdn_name,
    case when isdn_name is not null then 'isdn_' || {{ slugify('isdn_name') }} end as isdn_code,
    cast(lookup_date as date) as lookup_date,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
