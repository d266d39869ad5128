-- CVDPREVENT in the indicator shape: one row per area x indicator x period x breakdown, as published.
-- * cvdp001hyp: numerator = patients with GP recorded hypertension, denominator = patients in the
--   indicator's population, value = the published % (the counts are published rounded, so the value
--   is kept rather than recomputed from them).
-- * cvdp001hyp_age_standardised: the publisher's age-standardised % (no numerator or denominator).
-- The publisher's own confidence limits stay in staging (stg_cvdprevent__indicator_values).
--
-- AreaCode is an ONS code for England, regions, ICBs and Sub-ICB locations. It is mapped to the ODS
-- code through every geography vintage (int_geography__org_vintages: an ONS code belongs to one ODS
-- code across vintages, while an ODS code can carry several ONS codes), and the level follows the
-- organisation type: ICB (and STP) E54 -> 'icb', Sub-ICB location (and CCG) E38 -> 'sub_icb', NHS
-- England region E40 -> 'nhs_region'; E92000001 is England ('country'). An ONS code no vintage
-- knows keeps org_code_published NULL, takes its level from the code's prefix and unmatched_reason
-- 'unknown_code': it is kept and counted as unmapped, never guessed.
-- PCNs (system level PCN, ODS U-codes such as U89141) and GP practices (ODS codes such as A81001)
-- are published by ODS code: kept as published, level 'pcn' / 'practice'; today's ICB comes from
-- int_org_memberships (QOF practice geography; a PCN sits in the Sub-ICB of most of its practices).
--
-- Rows published at ICB level are never summed again: the roll-ups read rows below ICB only (Sub-ICB
-- rows; PCN and practice rows carry their ICB but are not summed, so nothing is counted twice).
with indicator_values as (
    select
        *,
        -- PCNs (U12345) and GP practices (A81001) are published by ODS code; everything else by ONS code
        area_code similar to '[A-Z][0-9]{5}' as is_ods_area
    from {{ ref('stg_cvdprevent__indicator_values') }}
),

ons_areas as (
    select * from {{ ref('int_geography__ons_area_levels') }}
)

select
    'cvdprevent' as source_id,
    indicator_values.indicator_id,
    case
        when indicator_values.area_code = '{{ var("england_code") }}' then indicator_values.area_code
        when indicator_values.is_ods_area then indicator_values.area_code
        else ons_areas.org_code
    end as org_code_published,
    case
        when indicator_values.area_code = '{{ var("england_code") }}' then 'country'
        when indicator_values.area_code similar to 'U[0-9]{5}' then 'pcn'
        when indicator_values.is_ods_area then 'practice'
        when ons_areas.org_level is not null then ons_areas.org_level
        when indicator_values.area_code like 'E54%' then 'icb'
        when indicator_values.area_code like 'E38%' then 'sub_icb'
        when indicator_values.area_code like 'E40%' then 'nhs_region'
    end as org_level,
    indicator_values.area_name as org_unit_name,
    indicator_values.period_start,
    indicator_values.period_end,
    indicator_values.period_label,
    indicator_values.numerator,
    indicator_values.denominator,
    case when indicator_values.value_status = 'published' then indicator_values.value end as value,
    indicator_values.value_status,
    indicator_values.release_sha256,
    indicator_values.release_label,
    indicator_values.breakdown,
    case
        when
            indicator_values.area_code <> '{{ var("england_code") }}'
            and not indicator_values.is_ods_area
            and ons_areas.org_code is null
            then 'unknown_code'
    end as unmatched_reason,
    -- The publisher's 95% limits, beside the ones computed here (int_published_statistics__cvdprevent).
    indicator_values.lower_confidence_limit as published_lower_ci_95,
    indicator_values.upper_confidence_limit as published_upper_ci_95
from indicator_values
left join ons_areas on indicator_values.area_code = ons_areas.ons_code
