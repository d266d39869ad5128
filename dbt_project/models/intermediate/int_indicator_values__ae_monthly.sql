-- A&E monthly in the indicator shape. Five indicators per provider-month:
-- * ae_4hr_all_types: % of all attendances (types 1, 2 and other, booked included) spent under 4 hours
--   = (attendances - over 4 hours) / attendances x 100;
-- * ae_4hr_type1: the same for type 1 departments (booked type 1 appointments included, as NHS
--   England publishes it);
-- * ae_attendances_total, ae_12hr_dta_waits (12+ hours from decision to admit to admission) and
--   ae_emergency_admissions_total (via A&E, all types, plus other emergency admissions): counts.
-- Proportions with a zero denominator have value NULL and status 'missing'; the counts stay.
-- A blank count is treated as 0 inside a sum unless every part is blank (then 'missing').
-- Attendances whose over-4-hours count is not published ('-' in the December 2019 workbook: trusts
-- that reported no 4-hour figures) cannot enter a 4-hour proportion: such a provider's proportions
-- are 'missing' (numerator and denominator NULL), and the publisher's England row, whose over-4-hours
-- counts leave those trusts out while its attendances include them, gets a denominator without their
-- attendances (as NHS England computes its England percentage).
with ae as (
    select * from {{ ref('stg_ae__provider_months') }}
),

levels as (
    select
        org_code,
        org_level
    from {{ ref('int_org_level__providers') }}
    where source_id = 'ae_monthly'
),

with_level as (
    select
        ae.*,
        case
            when ae.is_total_row then 'country'
            else coalesce(levels.org_level, 'independent_provider')
        end as org_level
    from ae
    left join levels on ae.org_code = levels.org_code
),

measures as (
    select
        *,
        coalesce(attendances_type_1, 0) + coalesce(attendances_type_2, 0) + coalesce(attendances_other, 0)
        + coalesce(attendances_booked_type_1, 0) + coalesce(attendances_booked_type_2, 0)
        + coalesce(attendances_booked_other, 0) as attendances_all,
        coalesce(over_4hrs_type_1, 0) + coalesce(over_4hrs_type_2, 0) + coalesce(over_4hrs_other, 0)
        + coalesce(over_4hrs_booked_type_1, 0) + coalesce(over_4hrs_booked_type_2, 0)
        + coalesce(over_4hrs_booked_other, 0) as over_4hrs_all,
        coalesce(attendances_type_1, 0) + coalesce(attendances_booked_type_1, 0) as attendances_t1,
        coalesce(over_4hrs_type_1, 0) + coalesce(over_4hrs_booked_type_1, 0) as over_4hrs_t1,
        coalesce(emergency_admissions_type_1, 0) + coalesce(emergency_admissions_type_2, 0)
        + coalesce(emergency_admissions_other, 0) + coalesce(other_emergency_admissions, 0) as emergency_admissions_all,
        coalesce(
            attendances_type_1, attendances_type_2, attendances_other,
            attendances_booked_type_1, attendances_booked_type_2, attendances_booked_other
        ) is null as attendances_blank,
        coalesce(
            emergency_admissions_type_1, emergency_admissions_type_2,
            emergency_admissions_other, other_emergency_admissions
        ) is null as admissions_blank,
        -- attendances of type 1 whose over-4-hours count is not published
        case when over_4hrs_type_1 is null then coalesce(attendances_type_1, 0) else 0 end
        + case when over_4hrs_booked_type_1 is null then coalesce(attendances_booked_type_1, 0) else 0 end
            as unreported_t1,
        -- the same for the other department types
        case when over_4hrs_type_2 is null then coalesce(attendances_type_2, 0) else 0 end
        + case when over_4hrs_other is null then coalesce(attendances_other, 0) else 0 end
        + case when over_4hrs_booked_type_2 is null then coalesce(attendances_booked_type_2, 0) else 0 end
        + case when over_4hrs_booked_other is null then coalesce(attendances_booked_other, 0) else 0 end
            as unreported_t2_other
    from with_level
),

-- The England row's 4-hour denominators: its attendances less those of the providers in the same
-- file whose over-4-hours counts are not published (zero in every CSV month).
four_hour_bases as (
    select
        *,
        attendances_all - case
            when is_total_row
                then sum(case when is_total_row then 0 else unreported_t1 + unreported_t2_other end)
                        over (partition by release_sha256)
            else 0
        end as attendances_4hr_all,
        attendances_t1 - case
            when is_total_row
                then sum(case when is_total_row then 0 else unreported_t1 end)
                        over (partition by release_sha256)
            else 0
        end as attendances_4hr_t1
    from measures
),

long_form as (
    select
        *,
        'ae_4hr_all_types' as indicator_id,
        cast(attendances_4hr_all - over_4hrs_all as double) as numerator,
        cast(attendances_4hr_all as double) as denominator,
        attendances_blank or unreported_t1 + unreported_t2_other > 0 as is_blank
    from four_hour_bases
    union all
    select
        *,
        'ae_4hr_type1' as indicator_id,
        cast(attendances_4hr_t1 - over_4hrs_t1 as double) as numerator,
        cast(attendances_4hr_t1 as double) as denominator,
        (attendances_type_1 is null and attendances_booked_type_1 is null) or unreported_t1 > 0 as is_blank
    from four_hour_bases
    union all
    select
        *,
        'ae_attendances_total' as indicator_id,
        null as numerator,
        null as denominator,
        attendances_blank as is_blank
    from four_hour_bases
    union all
    select
        *,
        'ae_12hr_dta_waits' as indicator_id,
        null as numerator,
        null as denominator,
        dta_wait_12_plus_hrs is null as is_blank
    from four_hour_bases
    union all
    select
        *,
        'ae_emergency_admissions_total' as indicator_id,
        null as numerator,
        null as denominator,
        admissions_blank as is_blank
    from four_hour_bases
),

valued as (
    select
        *,
        case
            when is_blank then null
            when indicator_id in ('ae_4hr_all_types', 'ae_4hr_type1')
                then case when denominator > 0 then 100.0 * numerator / denominator end
            when indicator_id = 'ae_attendances_total' then cast(attendances_all as double)
            when indicator_id = 'ae_12hr_dta_waits' then cast(dta_wait_12_plus_hrs as double)
            when indicator_id = 'ae_emergency_admissions_total' then cast(emergency_admissions_all as double)
        end as indicator_value
    from long_form
)

select
    'ae_monthly' as source_id,
    indicator_id,
    org_code as org_code_published,
    org_level,
    org_name as org_unit_name,
    period_start,
    period_end,
    period_label,
    case when is_blank then null else numerator end as numerator,
    case when is_blank then null else denominator end as denominator,
    indicator_value as value,
    case when indicator_value is null then 'missing' else 'published' end as value_status,
    release_sha256,
    release_label,
    'all' as breakdown,
    cast(null as varchar) as unmatched_reason
from valued
