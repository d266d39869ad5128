-- Catalogue entries generated for CVDPREVENT indicators that seeds/indicator_catalogue.csv does not
-- curate (a catalogue row with the same indicator_id overrides these in int_indicators). An API walk
-- brings every indicator the audit publishes (about 60), and each must reach dim_indicators without a
-- hand-written row first. What the data itself says is used: the publisher's name and code; crude
-- rows whose numerators never exceed their denominators are proportions (the audit publishes %),
-- age-standardised rows are rates as published. Polarity stays 'no_judgement' until someone curates
-- the indicator: the direction of "better" is a clinical judgement, never guessed.
with indicator_rows as (
    select
        indicator_id,
        indicator_code,
        indicator_name,
        is_age_standardised,
        numerator,
        denominator,
        period_end
    from {{ ref('stg_cvdprevent__indicator_values') }}
),

indicators as (
    select
        indicator_id,
        any_value(indicator_code) as indicator_code,
        arg_max(indicator_name, period_end) as indicator_name,
        bool_or(is_age_standardised) as is_age_standardised,
        coalesce(bool_and(numerator <= denominator), true) as counts_fit_a_proportion
    from indicator_rows
    group by indicator_id
)

select
    indicator_id,
    'cvdprevent' as source_id,
    'CVDPREVENT: ' || indicator_name || case when is_age_standardised then ', age-standardised' else '' end
    || ' (' || indicator_code || ')' as title,
    'Generated from the CVDPREVENT data, not curated: "' || indicator_name || '" (' || indicator_code || ')'
    || case
        when is_age_standardised
            then ', the publisher''s age-standardised % with its 95% limits (no numerator or denominator).'
        else ', the % published, numerator / denominator x 100.'
    end
    || ' Periods are cumulative to the named month and overlap: never add them up.'
    || ' Polarity not yet reviewed (no_judgement).' as definition,
    case
        when is_age_standardised then 'rate'
        when counts_fit_a_proportion then 'proportion'
        else 'other'
    end as value_type,
    100 as multiplier,
    'no_judgement' as polarity,
    'percent' as unit
from indicators
