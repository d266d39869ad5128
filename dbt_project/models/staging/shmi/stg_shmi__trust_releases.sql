-- One row per provider per SHMI release (12 rolling months). The files do not state their period:
-- period_start/period_end come from the release declared in sources.yml.
with source as (
    select * from {{ latest_release_files(source('raw', 'shmi')) }}
)

select
    upper(trim(provider_code)) as provider_code,
    trim(provider_name) as provider_name,
    trim(indicator_code) as indicator_code,
    cast(spells as bigint) as spells,
    cast(observed_deaths as bigint) as observed_deaths,
    cast(expected_deaths as double) as expected_deaths,
    cast(shmi_value as double) as shmi_value,
    cast(po_lower_998 as double) as po_lower_998,
    cast(po_upper_998 as double) as po_upper_998,
    cast(po_banding as integer) as po_banding,
    cast(od_lower_95 as double) as od_lower_95,
    cast(od_upper_95 as double) as od_upper_95,
    cast(od_banding as integer) as od_banding,
    case cast(od_banding as integer)
        when 1 then 'higher_than_expected'
        when 2 then 'as_expected'
        when 3 then 'lower_than_expected'
    end as od_banding_label,
    case when shmi_value is null then 'missing' else 'published' end as value_status,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    period_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
-- A row with no provider code is not data (e.g. the empty line above the copyright footer).
where nullif(trim(provider_code), '') is not null
