-- marts.outliers: the provider funnel of each chosen indicator in its latest period (breakdown
-- 'all'), every unit in England so the plot shows the whole funnel, with today's ICB of each unit
-- (dim_organisations) so a report can pick out its own providers.
with chosen as (
    select unnest($indicators) as indicator_id
),

latest as (
    select o.source_id, o.indicator_id, max(o.period_end) as period_end
    from marts.outliers as o
    inner join chosen on o.indicator_id = chosen.indicator_id
    where o.breakdown = 'all' and o.funnel_level = 'provider'
    group by o.source_id, o.indicator_id
)

select
    o.source_id,
    o.indicator_id,
    o.period_start,
    o.period_end,
    o.period_label,
    o.org_level,
    o.org_code_published,
    o.org_code,
    o.org_unit_name,
    coalesce(o.org_unit_name, org.org_name, o.org_code) as unit_name,
    org.icb_code,
    o.numerator,
    o.denominator,
    o.value,
    o.target,
    o.target_basis,
    o.lower_95,
    o.upper_95,
    o.lower_998,
    o.upper_998,
    o.z_score,
    o.status,
    o.overdispersion,
    o.method,
    o.unit_count
from marts.outliers as o
inner join latest
    on o.source_id = latest.source_id and o.indicator_id = latest.indicator_id and o.period_end = latest.period_end
left join marts.dim_organisations as org on o.org_code = org.org_code
where o.breakdown = 'all' and o.funnel_level = 'provider'
order by o.indicator_id, o.denominator
