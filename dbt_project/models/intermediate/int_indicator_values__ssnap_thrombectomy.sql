-- SSNAP thrombectomy in the indicator shape. Team columns become org_level 'team' with the team name
-- as org_unit_name and the matched trust code (int_ssnap__trust_name_matches) as
-- org_code_published (NULL when unmatched, with unmatched_reason); the National column becomes the England row.
-- Proportions with a zero denominator have value NULL and status 'missing'.
with measures as (
    select * from {{ ref('stg_ssnap__team_measures') }}
),

ids as (
    select * from {{ ref('int_ssnap__measure_ids') }}
),

matches as (
    select * from {{ ref('int_ssnap__trust_name_matches') }}
)

select
    'ssnap_thrombectomy' as source_id,
    ids.indicator_id,
    case when measures.is_national then '{{ var("england_code") }}' else matches.org_code end as org_code_published,
    case when measures.is_national then 'country' else 'team' end as org_level,
    case when measures.is_national then 'England' else measures.team_name end as org_unit_name,
    measures.period_start,
    measures.period_end,
    measures.period_label,
    measures.numerator,
    measures.denominator,
    case
        when measures.statistic = 'proportion' and coalesce(measures.denominator, 0) = 0 then null
        else measures.value
    end as value,
    case
        when measures.statistic = 'proportion' and coalesce(measures.denominator, 0) = 0
            and measures.value_status = 'published' then 'missing'
        else measures.value_status
    end as value_status,
    measures.release_sha256,
    measures.release_label,
    'all' as breakdown,
    case when not measures.is_national then matches.unmatched_reason end as unmatched_reason
from measures
inner join ids
    on
        measures.report_basis = ids.report_basis
        and measures.category = ids.category
        and measures.item = ids.item
        and measures.statistic = ids.statistic
        and coalesce(measures.value_unit, '') = coalesce(ids.value_unit, '')
left join matches on measures.trust_name = matches.published_name
