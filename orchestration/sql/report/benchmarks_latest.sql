-- marts.benchmarks for the chosen indicators, breakdown 'all', in each indicator's latest period
-- (the latest period_end at which any unit is benchmarked): every level, so one read serves the
-- ICB, its providers, all ICBs (regional variation) and the networks of every report.
with chosen as (
    select unnest($indicators) as indicator_id
),

latest as (
    select b.source_id, b.indicator_id, max(b.period_end) as period_end
    from marts.benchmarks as b
    inner join chosen on b.indicator_id = chosen.indicator_id
    where b.breakdown = 'all' and b.value is not null
    group by b.source_id, b.indicator_id
)

select
    b.source_id,
    b.indicator_id,
    b.org_code,
    b.org_code_published,
    b.org_level,
    b.org_unit_name,
    b.is_derived,
    b.icb_code,
    b.region_code,
    b.period_start,
    b.period_end,
    b.period_label,
    b.breakdown,
    b.polarity,
    b.value,
    b.lower_ci_95,
    b.upper_ci_95,
    b.ci_method,
    b.england_value,
    b.comparison_england,
    b.region_value,
    b.comparison_region,
    b.benchmark_method,
    b.peer_rank,
    b.peer_count,
    coalesce(o.org_name, b.org_unit_name, b.org_code) as org_name
from marts.benchmarks as b
inner join latest
    on b.source_id = latest.source_id and b.indicator_id = latest.indicator_id and b.period_end = latest.period_end
left join marts.dim_organisations as o on b.org_code = o.org_code
where b.breakdown = 'all'
order by b.indicator_id, b.org_level, b.value
