-- A table, not a view: at national practice level this is tens of millions of rows, and the text
-- parsing below (trims, slugs, casts) would otherwise run again for every model and test reading it.
{{ config(materialized="table") }}

-- One row per published row of a CVDPREVENT API rawDataCSV response, or of a period file an API walk
-- combined from rawDataJSON responses (latest file of each release): area (ONS code; ODS code for
-- PCNs and practices) x indicator x period x breakdown, with the publisher's numerator, denominator,
-- value (%) and 95% confidence limits (kept as columns to show beside limits computed here).
--
-- * indicator_id: the indicator code in lower case (cvdp001hyp); age-standardised rows (no
--   numerator or denominator: a directly standardised rate) are a separate indicator,
--   <code>_age_standardised.
-- * breakdown: 'all' for the whole population (MetricCategoryTypeName 'Sex', category 'Persons'),
--   else '<category type>:<category>' slugs ('sex:female', 'age:40-59',
--   'deprivation_quintile:1_most_deprived', 'ethnicity:white'), followed by '|sex:<sex>' when an age group (or other
--   category) is given for one sex only (CategoryAttribute Female / Male): 'age:80+|sex:female'.
-- * Periods ('To March 2026') are cumulative to the end of the named month; the API states no start,
--   so period_start comes from the release in sources.yml (the 12 months to the end date). Values of
--   different periods overlap and must never be added up.
-- * A value withheld by the publisher is blank with a ValueNote: 'suppressed' when the note says so,
--   else 'missing'; never 0.
with source as (
    select * from {{ latest_release_files(source('raw', 'cvdprevent')) }}
),

categorised as (
    select
        *,
        trim(metric_category_type_name) like '% - Age Standardised' as is_age_standardised,
        lower(trim(regexp_replace(trim(metric_category_type_name), ' - Age Standardised$', ''))) as category_type,
        trim(
            regexp_replace(replace(lower(trim(metric_category_name)), ' - ', ' '), '[^a-z0-9+-]+', '_', 'g'),
            '_'
        ) as category_slug,
        lower(trim(category_attribute)) as sex
    from source
),

slugged as (
    select
        *,
        case
            when category_type = 'age group' then 'age'
            else {{ slugify('category_type') }}
        end as category_type_slug
    from categorised
),

parts as (
    select
        *,
        case
            when category_type_slug = 'sex' and category_slug = 'persons' then null
            else category_type_slug || ':' || category_slug
        end as category_part,
        case
            when category_type_slug = 'sex' or sex = 'persons' then null
            else 'sex:' || sex
        end as sex_part
    from slugged
)

select
    upper(trim(area_code)) as area_code,
    trim(area_name) as area_name,
    upper(trim(indicator_code)) as indicator_code,
    lower(trim(indicator_code)) || case when is_age_standardised then '_age_standardised' else '' end
        as indicator_id,
    trim(indicator_name) as indicator_name,
    trim(indicator_short_name) as indicator_short_name,
    trim(metric_category_type_name) as metric_category_type_name,
    trim(metric_category_name) as metric_category_name,
    trim(category_attribute) as category_attribute,
    is_age_standardised,
    coalesce(nullif(concat_ws('|', category_part, sex_part), ''), 'all') as breakdown,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(value as double) as value,
    cast(lower_confidence_limit as double) as lower_confidence_limit,
    cast(upper_confidence_limit as double) as upper_confidence_limit,
    trim(value_note) as value_note,
    case
        when value is not null then 'published'
        when lower(value_note) like '%suppress%' then 'suppressed'
        else 'missing'
    end as value_status,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    trim(time_period_name) as period_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from parts
