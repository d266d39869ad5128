-- marts.spc: the XmR chart of every ICB (today's code, so a merged ICB's whole history is on its
-- current footprint) for the chosen indicators, breakdown 'all', point by point.
select
    source_id,
    indicator_id,
    org_code,
    period_start,
    period_end,
    period_label,
    point_number,
    point_count,
    value,
    mean,
    lower_process_limit,
    upper_process_limit,
    lower_near_limit,
    upper_near_limit,
    special_cause_rule,
    direction,
    variation,
    polarity,
    is_trial_limits,
    chart_variation,
    chart_assurance
from marts.spc
where org_level = 'icb' and breakdown = 'all' and list_contains($indicators, indicator_id)
order by indicator_id, org_code, point_number
