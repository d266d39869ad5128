-- SSNAP thrombectomy measures, one row per release x sheet x team column x measure.
-- Raw holds one row per cell; each proportion is published as consecutive n / d / % rows for the
-- same Category + Items, which are pivoted here into numerator, denominator and value. Medians and
-- inter-quartile limits (median / LIQR / UIQR) stay separate rows with a value only; an item
-- published as n alone (e.g. the number of thrombectomies) is a count.
with source as (
    select * from {{ latest_release_files(source('raw', 'ssnap_thrombectomy')) }}
),

cells as (
    select
        _release as release_label,
        _file_sha256 as release_sha256,
        sheet,
        report_basis,
        is_national,
        nullif(trim(network_name), '') as network_name,
        nullif(trim(trust_name), '') as trust_name,
        nullif(trim(team_name), '') as team_name,
        source_column,
        trim(category) as category,
        trim(cast(item as varchar)) as item,
        lower(trim(data_type)) as data_type,
        value_text,
        -- h:mm times arrive as minutes; negative times ('-1:47') are converted here if the parser
        -- left them as text.
        coalesce(
            value_numeric,
            case
                when regexp_matches(trim(value_text), '^-?[0-9]+:[0-5][0-9]$')
                    then (
                        case when starts_with(trim(value_text), '-') then -1 else 1 end
                        * (
                            abs(cast(split_part(trim(value_text), ':', 1) as integer)) * 60
                            + cast(split_part(trim(value_text), ':', 2) as integer)
                        )
                    )
            end
        ) as value_numeric,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        period_label,
        source_row
    from source
),

proportion_parts as (
    select
        release_label,
        release_sha256,
        sheet,
        report_basis,
        is_national,
        network_name,
        trust_name,
        team_name,
        source_column,
        category,
        item,
        period_start,
        period_end,
        period_label,
        min(source_row) as source_row,
        count(*) filter (where data_type = 'd') as d_rows,
        count(*) filter (where data_type = '%') as pct_rows,
        max(value_numeric) filter (where data_type = 'n') as n_value,
        max(value_text) filter (where data_type = 'n') as n_text,
        max(value_numeric) filter (where data_type = 'd') as d_value,
        max(value_numeric) filter (where data_type = '%') as pct_value,
        max(value_text) filter (where data_type = '%') as pct_text
    from cells
    where data_type in ('n', 'd', '%')
    group by all
),

proportions as (
    select
        release_label,
        release_sha256,
        sheet,
        report_basis,
        is_national,
        network_name,
        trust_name,
        team_name,
        source_column,
        category,
        item,
        case when d_rows > 0 or pct_rows > 0 then 'proportion' else 'count' end as statistic,
        n_value as numerator,
        d_value as denominator,
        case when d_rows > 0 or pct_rows > 0 then pct_value else n_value end as value,
        case
            when d_rows > 0 or pct_rows > 0 then {{ value_status('pct_text', 'pct_value') }}
            else {{ value_status('n_text', 'n_value') }}
        end as value_status,
        period_start,
        period_end,
        period_label,
        source_row
    from proportion_parts
),

distributions as (
    select
        release_label,
        release_sha256,
        sheet,
        report_basis,
        is_national,
        network_name,
        trust_name,
        team_name,
        source_column,
        category,
        item,
        case data_type
            when 'liqr' then 'lower_quartile'
            when 'uiqr' then 'upper_quartile'
            else data_type
        end as statistic,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        value_numeric as value,
        {{ value_status('value_text', 'value_numeric') }} as value_status,
        period_start,
        period_end,
        period_label,
        source_row
    from cells
    where data_type not in ('n', 'd', '%')
)

select
    *,
    case when item ilike '%(hours:mins)%' then 'minutes' end as value_unit
from (
    select * from proportions
    union all
    select * from distributions
) as measures
