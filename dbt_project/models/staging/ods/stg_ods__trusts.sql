-- One row per NHS trust per etr vintage (all vintages kept: closed trusts keep their names).
-- national_grouping is the NHS England region (Y-code); high_level_health_geography is the host
-- ICB Q-code from July 2022, an STP or area team code in older vintages.
with source as (
    select * from {{ latest_release_files(source('raw', 'ods_etr')) }}
)

select
    upper(trim(org_code)) as org_code,
    trim(org_name) as org_name,
    nullif(trim(national_grouping), '') as region_code,
    nullif(trim(high_level_health_geography), '') as host_geography_code,
    case
        when cast(vintage_date as date) >= date '2022-07-01' then 'icb'
        else 'stp_or_area_team'
    end as host_geography_type,
    nullif(trim(postcode), '') as postcode,
    cast(open_date as date) as open_date,
    cast(close_date as date) as close_date,
    cast(vintage_date as date) as vintage_date,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
