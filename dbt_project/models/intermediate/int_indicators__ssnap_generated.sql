-- Catalogue entries generated for SSNAP measures (rows of seeds/indicator_catalogue.csv with the
-- same indicator_id override these in dim_indicators). The definition states basis and periods.
with ids as (
    select * from {{ ref('int_ssnap__measure_ids') }}
),

periods as (
    select
        report_basis,
        string_agg(distinct period_label, ', ' order by period_label) as period_labels
    from {{ ref('stg_ssnap__team_measures') }}
    group by report_basis
)

select distinct
    ids.indicator_id,
    'ssnap_thrombectomy' as source_id,
    ids.category || ': ' || ids.item
    || case
        when ids.statistic = 'median' then ' (median)'
        when ids.statistic = 'lower_quartile' then ' (lower quartile)'
        when ids.statistic = 'upper_quartile' then ' (upper quartile)'
        else ''
    end as title,
    'SSNAP thrombectomy portfolio, reported by the '
    || case ids.report_basis
        when 'conducting_team' then 'team conducting the intra-arterial intervention'
        when 'first_admitting_team' then 'team first admitting the patient'
        else ids.report_basis
    end
    || '. Category "' || ids.category || '", item "' || ids.item || '": '
    || case ids.statistic
        when 'proportion' then 'n / d x 100, as published (percentage of patients)'
        when 'count' then 'number of patients (n)'
        when 'median' then 'median' || coalesce(' in ' || ids.value_unit, '')
        when 'lower_quartile' then 'lower quartile' || coalesce(' in ' || ids.value_unit, '')
        when 'upper_quartile' then 'upper quartile' || coalesce(' in ' || ids.value_unit, '')
        else ids.statistic
    end
    || '. Financial years published: ' || periods.period_labels || '.' as definition,
    case ids.statistic
        when 'proportion' then 'proportion'
        when 'count' then 'count'
        when 'median' then 'median'
        else 'other'
    end as value_type,
    case when ids.statistic = 'proportion' then 100 else 1 end as multiplier,
    'no_judgement' as polarity,
    case
        when ids.statistic = 'proportion' then 'percent'
        when ids.statistic = 'count' then 'patients'
        else coalesce(ids.value_unit, 'value')
    end as unit
from ids
inner join periods on ids.report_basis = periods.report_basis
