-- SSNAP Acute Organisational Audit, Key Indicators Summary: one row per release x site column x
-- sheet row. Yes / No answers become 1 / 0 in answer_value; numbers (staffing ratios, days a week,
-- key indicators achieved) are kept; other text (e.g. 'Not Applicable', 'Sometimes', an imaging
-- modality) has answer_value NULL and status 'missing' unless it is a suppression marker.
-- Sites not treating patients in the first 72 hours carry the answer of the site that does
-- (assigned_from_other_site), as the audit publishes them.
with source as (
    select * from {{ latest_release_files(source('raw', 'ssnap_org_audit')) }}
),

cells as (
    select
        _release as release_label,
        _file_sha256 as release_sha256,
        nullif(trim(isdn_name), '') as isdn_name,
        nullif(trim(trust_name), '') as trust_name,
        nullif(trim(site_name), '') as site_name,
        nullif(trim(hospital_names), '') as hospital_names,
        nullif(trim(section), '') as section,
        cast(key_indicator as integer) as key_indicator,
        trim(row_kind) as row_kind,
        nullif(trim(question), '') as question,
        trim(item) as item,
        national_result,
        value_text,
        cast(value_numeric as double) as value_numeric,
        cast(assigned_from_other_site as boolean) as assigned_from_other_site,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        period_label,
        source_row,
        source_column
    from source
)

select
    *,
    case
        when value_numeric is not null then value_numeric
        when lower(trim(value_text)) = 'yes' then 1.0
        when lower(trim(value_text)) = 'no' then 0.0
    end as answer_value,
    case
        when value_numeric is not null or lower(trim(value_text)) in ('yes', 'no') then 'published'
        when trim(value_text) in {{ suppression_markers() }} then 'suppressed'
        else 'missing'
    end as value_status
from cells
