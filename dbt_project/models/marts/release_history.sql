-- Every file of every release loaded, per source: when it was fetched, how many rows it held, whether
-- it is the file in use for its release (a later file of the same release is a revision and replaces
-- it), and how many of the published values in fct_indicator_values come from it. A release whose
-- periods a later release republished shows fewer values in use than rows loaded.
with files as (
    select
        source_id,
        release_label,
        file_sha256,
        file_name,
        rows_loaded,
        fetched_at,
        loaded_at
    from {{ source('meta', 'load_log') }}
),

releases as (
    select * from {{ source('meta', 'source_releases') }}
),

values_in_use as (
    select
        source_id,
        release_sha256,
        count(*) as values_in_use
    from {{ ref('fct_indicator_values') }}
    where not is_derived
    group by source_id, release_sha256
),

ranked as (
    select
        files.*,
        row_number() over (
            partition by files.source_id, files.release_label
            order by files.fetched_at desc, files.file_sha256 desc
        ) as recency_rank,
        count(*) over (partition by files.source_id, files.release_label) as files_in_release
    from files
)

select
    ranked.source_id,
    ranked.release_label,
    releases.release_position,
    releases.period_start,
    releases.period_end,
    releases.period_label,
    ranked.file_sha256,
    ranked.file_name,
    ranked.rows_loaded,
    ranked.fetched_at,
    ranked.loaded_at,
    ranked.recency_rank = 1 as is_current_file,
    ranked.files_in_release > 1 as is_revised,
    coalesce(values_in_use.values_in_use, 0) as values_in_use
from ranked
left join releases
    on
        ranked.source_id = releases.source_id
        and ranked.release_label = releases.release_label
left join values_in_use
    on
        ranked.source_id = values_in_use.source_id
        and ranked.file_sha256 = values_in_use.release_sha256
