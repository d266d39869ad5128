-- One row per indicator: the curated catalogue (seeds/indicator_catalogue.csv) plus the ids
-- generated for SSNAP measures and for CVDPREVENT indicators the catalogue does not curate; a
-- catalogue row overrides a generated row with the same id.
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

-- both generated models have the catalogue's columns in the catalogue's order
generated as (
    select * from {{ ref('int_indicators__ssnap_generated') }}
    union all
    select * from {{ ref('int_indicators__cvdprevent_generated') }}
),

indicators as (
    select * from catalogue
    union all
    select * from generated
    where indicator_id not in (select catalogue.indicator_id from catalogue)
)

select
    indicator_id,
    source_id,
    title,
    definition,
    value_type,
    cast(multiplier as double) as multiplier,
    polarity,
    unit
from indicators
