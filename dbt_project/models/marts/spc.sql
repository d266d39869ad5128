-- XmR charts (NHS England "Making Data Count") per organisation (today's code), indicator and
-- breakdown over its periods: mean, process limits, near band, the special-cause rule each point
-- triggers (precedence outside_limits > trend > two_of_three > run) and its variation class, plus the
-- chart's variation icon (last point). int_spc (orchestration.methods.xmr) computes it; the casts
-- restore the types a Python model's pandas round trip loosens.
select
    source_id,
    indicator_id,
    breakdown,
    org_level,
    org_code,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    period_label,
    cast(point_number as bigint) as point_number,
    cast(point_count as bigint) as point_count,
    value,
    moving_range,
    mean,
    lower_process_limit,
    upper_process_limit,
    lower_near_limit,
    upper_near_limit,
    special_cause_rule,
    direction,
    variation,
    polarity,
    cast(is_trial_limits as boolean) as is_trial_limits,
    cast(screen_outliers as boolean) as screen_outliers,
    cast(run_length as bigint) as run_length,
    cast(trend_length as bigint) as trend_length,
    chart_variation,
    cast(chart_assurance as varchar) as chart_assurance
from {{ ref('int_spc') }}
