-- One row per source x indicator x published organisation (org_code_published, org_unit_name) x
-- period x breakdown, plus derived roll-ups (is_derived). Published rows carry today's geography
-- (org_code after ODS successions; icb_code, region_code, cancer_alliance_code, isdn_code on today's
-- map, including the April 2026 ICB mergers) and the geography as published for their period
-- (icb_code_as_published, region_code_as_published). A row that cannot be placed on an ICB says why
-- in unmapped_reason and is listed in unmapped_organisations.
--
-- Confidence intervals (int_indicator_values__intervals, a Python model using
-- orchestration.methods): lower/upper 95% and 99.8% limits on the value's scale where the value type
-- allows one, with ci_method; the publisher's own limits, where it gives them, stay beside ours.
-- The casts restore the types a Python model's pandas round trip loosens (dates, nullable flags).
select
    values_with_intervals.source_id,
    values_with_intervals.indicator_id,
    values_with_intervals.org_code,
    values_with_intervals.org_code_published,
    values_with_intervals.org_level,
    values_with_intervals.icb_code,
    values_with_intervals.region_code,
    cast(values_with_intervals.period_start as date) as period_start,
    cast(values_with_intervals.period_end as date) as period_end,
    values_with_intervals.period_label,
    values_with_intervals.numerator,
    values_with_intervals.denominator,
    values_with_intervals.value,
    values_with_intervals.value_status,
    values_with_intervals.release_sha256,
    values_with_intervals.release_label,
    values_with_intervals.org_unit_name,
    values_with_intervals.breakdown,
    values_with_intervals.org_name,
    cast(values_with_intervals.is_successor_mapped as boolean) as is_successor_mapped,
    cast(values_with_intervals.is_split_mapped as boolean) as is_split_mapped,
    values_with_intervals.icb_code_as_published,
    values_with_intervals.region_code_as_published,
    values_with_intervals.cancer_alliance_code,
    values_with_intervals.isdn_code,
    values_with_intervals.unmapped_reason,
    cast(values_with_intervals.is_derived as boolean) as is_derived,
    cast(values_with_intervals.derived_from_count as bigint) as derived_from_count,
    values_with_intervals.lower_ci_95,
    values_with_intervals.upper_ci_95,
    values_with_intervals.lower_ci_998,
    values_with_intervals.upper_ci_998,
    values_with_intervals.ci_method,
    values_with_intervals.published_lower_ci_95,
    values_with_intervals.published_upper_ci_95,
    values_with_intervals.published_comparator_code,
    values_with_intervals.published_comparator_value,
    values_with_intervals.published_comparison,
    values_with_intervals.published_benchmark_method
from {{ ref('int_indicator_values__intervals') }} as values_with_intervals
