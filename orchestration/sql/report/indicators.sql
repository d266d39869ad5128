-- Every (source, indicator) with at least one value in the fact table, with the indicator's
-- catalogue entry: the report picks its key indicators per source from these. Keyed by the fact's
-- source, because one indicator id can come from two sources (Cancer Waiting Times by provider and
-- by Sub-ICB location share theirs).
select
    i.indicator_id,
    f.source_id,
    i.title,
    i.definition,
    i.value_type,
    i.multiplier,
    i.polarity,
    i.unit,
    i.source_url,
    count(*) as fact_rows
from marts.dim_indicators as i
inner join marts.fct_indicator_values as f on i.indicator_id = f.indicator_id
group by all
order by f.source_id, i.indicator_id
