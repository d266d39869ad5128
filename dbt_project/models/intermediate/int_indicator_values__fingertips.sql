-- Fingertips in the indicator shape: one row per area x indicator x period x breakdown, as published.
-- * fingertips_41101 (emergency readmissions within 30 days of discharge): the publisher's indirectly
--   standardised percentage; fingertips_383 (people reporting Alzheimer's disease or dementia): the
--   GP Patient Survey percentage.
-- * numerator and denominator are NULL: the API publishes a count but no denominator, and for a
--   standardised indicator the count is not the numerator of the published value. The count, the
--   publisher's confidence limits and its comparison with England are in
--   int_published_statistics__fingertips (same grain).
-- Organisations and the choice between responses carrying the same data point: int_fingertips__data_points.
select
    'fingertips' as source_id,
    indicator_id,
    org_code_published,
    org_level,
    org_unit_name,
    period_start,
    period_end,
    period_label,
    cast(null as double) as numerator,
    cast(null as double) as denominator,
    case when value_status = 'published' then value end as value,
    value_status,
    release_sha256,
    release_label,
    breakdown,
    unmatched_reason
from {{ ref('int_fingertips__data_points') }}
