-- Per source: published values, the latest period, release and fetch dates, and the share of rows
-- below England that could not be placed on an ICB (the same rule as the unmapped-share check).
with facts as (
    select
        source_id,
        count(*) filter (where not is_derived) as published_rows,
        count(*) filter (
            where
                not is_derived
                and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn')
        ) as placeable_rows,
        count(*) filter (
            where
                not is_derived
                and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn')
                and icb_code is null
        ) as unmapped_rows,
        max(period_end) as latest_period_end,
        arg_max(period_label, period_end) as latest_period_label,
        min(period_start) as first_period_start
    from marts.fct_indicator_values
    group by source_id
),

releases as (
    select
        source_id,
        count(distinct release_label) as releases,
        arg_max(release_label, release_position) as latest_release,
        max(fetched_at) as last_fetched_at,
        max(loaded_at) as last_loaded_at
    from marts.release_history
    group by source_id
),

fetches as (
    select source_id, max(attempted_at) as last_fetch_attempt, count(*) as fetch_attempts
    from meta.fetch_log
    group by source_id
)

select
    coalesce(facts.source_id, releases.source_id) as source_id,
    coalesce(facts.published_rows, 0) as published_rows,
    coalesce(facts.placeable_rows, 0) as placeable_rows,
    coalesce(facts.unmapped_rows, 0) as unmapped_rows,
    facts.first_period_start,
    facts.latest_period_end,
    facts.latest_period_label,
    releases.releases,
    releases.latest_release,
    releases.last_fetched_at,
    releases.last_loaded_at,
    fetches.last_fetch_attempt,
    fetches.fetch_attempts
from facts
full outer join releases on facts.source_id = releases.source_id
left join fetches on coalesce(facts.source_id, releases.source_id) = fetches.source_id
order by 1
