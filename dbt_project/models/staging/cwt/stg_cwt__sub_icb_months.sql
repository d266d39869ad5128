-- One row per published row of the NHS England Cancer Waiting Times (CWT) CRS extract by the
-- commissioner's Sub-ICB location: Sub-ICB location x month x standard x sub-category (31-day first
-- and subsequent treatment by modality, 62-day routes; none for 28-day FDS). Sub-categories do not
-- overlap: they add up to the standard. Besides Sub-ICB locations the publisher reports NHS
-- England's commissioning hubs (13Q, 14M, ...) and the literal UNKNOWN (commissioner not recorded):
-- is_unknown_commissioner flags the latter; it is not an organisation code.
with source as (
    select * from {{ latest_release_files(source('raw', 'cwt_sub_icb')) }}
)

select
    upper(trim(sub_icb_code)) as sub_icb_code,
    upper(trim(sub_icb_code)) = 'UNKNOWN' as is_unknown_commissioner,
    cast(period_month as date) as period_start,
    last_day(cast(period_month as date)) as period_end,
    strftime(cast(period_month as date), '%B %Y') as period_label,
    financial_year,
    trim(standard) as standard,
    {{ cwt_indicator_id('standard') }} as indicator_id,
    trim(sub_category) as sub_category,
    cast(total as double) as total,
    cast(within_standard as double) as within_standard,
    cast(breaches as double) as breaches,
    case when coalesce(total, 0) > 0 then 'published' else 'missing' end as value_status,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
