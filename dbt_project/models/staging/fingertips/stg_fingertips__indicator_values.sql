-- One row per data point of a FingertipsNext API response (latest file of each release): indicator x
-- area x population segment (sex, age, deprivation) x period, with the publisher's count, value,
-- confidence limits, trend and benchmark comparison kept as columns.
--
-- * indicator_id: 'fingertips_<Fingertips indicator id>' (fingertips_41101).
-- * breakdown: 'all' when sex, age and deprivation are all the indicator's aggregate (Persons, the
--   indicator's whole age band such as 'All ages' or '16+ yrs', deprivation 'Persons'); else
--   'sex:<sex>', 'age:<band>', 'deprivation:<category>' slugs joined by '|' ('sex:female').
-- * Periods come from the response (datePeriod from / to): a Financial period 2013-04-01..2014-03-31
--   is labelled '2013/14', a Calendar year '2012'; others 'from to to'.
-- * benchmark_comparison: the publisher's outcome in lower snake case ('better', 'similar', 'worse',
--   'lowest' .. 'highest', 'not_compared'); NULL where no comparison was made. benchmark_area_code is
--   E92000001 when compared with England; an inequality request compares each segment with the
--   area's own aggregate value instead (benchmark_area_code = the area's code).
-- * count: as published (a weighted, non-whole count for survey indicators); Fingertips publishes no
--   denominator here, so it is not a numerator of anything.
-- * A null value is 'missing' (FingertipsNext writes null; it has no suppression marker), never 0.
with source as (
    select * from {{ latest_release_files(source('raw', 'fingertips')) }}
),

parts as (
    select
        *,
        case when not sex_is_aggregate then 'sex:' || {{ slugify('sex') }} end as sex_part,
        case when not age_is_aggregate then 'age:' || {{ slugify('age') }} end as age_part,
        case
            when not deprivation_is_aggregate then 'deprivation:' || {{ slugify('deprivation') }}
        end as deprivation_part
    from source
)

select
    'fingertips_' || cast(indicator_id as varchar) as indicator_id,
    cast(indicator_id as integer) as fingertips_indicator_id,
    trim(indicator_name) as indicator_name,
    trim(polarity) as polarity,
    trim(benchmark_method) as benchmark_method,
    upper(trim(area_code)) as area_code,
    trim(area_name) as area_name,
    trim(sex) as sex,
    trim(age) as age,
    trim(deprivation) as deprivation,
    coalesce(nullif(concat_ws('|', sex_part, age_part, deprivation_part), ''), 'all') as breakdown,
    trim(period_type) as period_type,
    cast(period_from as date) as period_start,
    cast(period_to as date) as period_end,
    case
        when
            trim(period_type) = 'Financial'
            and month(period_from) = 4 and day(period_from) = 1
            and cast(period_to as date) = cast(period_from as date) + interval 1 year - interval 1 day
            then cast(year(period_from) as varchar) || '/' || right(cast(year(period_from) + 1 as varchar), 2)
        when
            trim(period_type) = 'Calendar'
            and month(period_from) = 1 and day(period_from) = 1
            and cast(period_to as date) = cast(period_from as date) + interval 1 year - interval 1 day
            then cast(year(period_from) as varchar)
        else strftime(period_from, '%Y-%m-%d') || ' to ' || strftime(period_to, '%Y-%m-%d')
    end as period_label,
    cast(count as double) as count,
    cast(value as double) as value,
    cast(lower_ci as double) as lower_ci,
    cast(upper_ci as double) as upper_ci,
    trim(trend) as trend,
    trim(benchmark_outcome) as benchmark_outcome,
    {{ slugify("regexp_replace(benchmark_outcome, '([a-z])([A-Z])', '\\1_\\2', 'g')") }} as benchmark_comparison,
    upper(trim(benchmark_area_code)) as benchmark_area_code,
    trim(benchmark_area_name) as benchmark_area_name,
    cast(benchmark_value as double) as benchmark_value,
    case when value is null then 'missing' else 'published' end as value_status,
    _release as release_label,
    _file_sha256 as release_sha256,
    _fetched_at as fetched_at,
    source_row
from parts
