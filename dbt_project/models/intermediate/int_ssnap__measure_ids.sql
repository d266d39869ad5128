-- Indicator identity of every SSNAP measure: one id per report basis x category x item x statistic.
-- id = 'ssnap_mt_' + basis ('conducting' | 'first_admitting') + '__' + category slug + '__' + item
-- slug, with a '__median' / '__lower_quartile' / '__upper_quartile' suffix for distribution rows.
with measures as (
    select distinct
        report_basis,
        category,
        item,
        statistic,
        value_unit
    from {{ ref('stg_ssnap__team_measures') }}
)

select
    (
        'ssnap_mt_'
        || case report_basis
            when 'conducting_team' then 'conducting'
            when 'first_admitting_team' then 'first_admitting'
            else {{ slugify('report_basis') }}
        end
        || '__' || {{ slugify('category') }}
        || '__' || {{ slugify('item') }}
        || case when statistic in ('proportion', 'count') then '' else '__' || {{ slugify('statistic') }} end
    ) as indicator_id,
    report_basis,
    category,
    item,
    statistic,
    value_unit
from measures
