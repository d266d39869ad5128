-- One row per indicator (int_indicators: the curated catalogue plus generated SSNAP ids) with the
-- homepage of its source.
with indicators as (
    select * from {{ ref('int_indicators') }}
)

select
    indicators.indicator_id,
    indicators.source_id,
    indicators.title,
    indicators.definition,
    indicators.value_type,
    indicators.multiplier,
    indicators.polarity,
    indicators.unit,
    sources.homepage as source_url
from indicators
left join {{ ref('source_catalogue') }} as sources on indicators.source_id = sources.source_id
