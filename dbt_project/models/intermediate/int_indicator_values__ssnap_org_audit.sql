-- SSNAP Acute Organisational Audit 2021 (Key Indicators Summary) in the indicator shape. Each site
-- column becomes org_level 'team' with the site name as org_unit_name and the matched trust code
-- (int_ssnap__trust_name_matches) as org_code_published (NULL when unmatched, with unmatched_reason).
-- The sheet's National Results column covers England, Wales and Northern Ireland together, so no
-- England row is published. Published indicators are picked by row here; other rows (multiple
-- choice answers, question sub-parts) stay in staging only.
with answers as (
    select * from {{ ref('stg_ssnap__org_audit_site_answers') }}
),

indicator_rows (indicator_id, row_kind, key_indicator, item) as (
    values
    ('ssnap_org_key_indicators_achieved', 'total', null, null),
    ('ssnap_org_ki1_nurse_establishment_met', 'key_indicator', 1, null),
    ('ssnap_org_ki2_clinical_psychologist_met', 'key_indicator', 2, null),
    ('ssnap_org_ki3_out_of_hours_stroke_nurse_met', 'key_indicator', 3, null),
    ('ssnap_org_ki4_weekend_nurse_staffing_met', 'key_indicator', 4, null),
    ('ssnap_org_ki5_seven_day_therapy_met', 'key_indicator', 5, null),
    ('ssnap_org_ki6_ambulance_pre_alert_met', 'key_indicator', 6, null),
    ('ssnap_org_ki7_specialist_esd_access_met', 'key_indicator', 7, null),
    ('ssnap_org_ki8_patient_carer_survey_met', 'key_indicator', 8, null),
    ('ssnap_org_ki9_tia_mri_first_line_met', 'key_indicator', 9, null),
    ('ssnap_org_ki10_board_responsibility_for_audit_met', 'key_indicator', 10, null),
    ('ssnap_org_band_6_nurses_wte_per_10_beds', 'supporting', 1, 'Band 6 nurses WTE per 10 beds'),
    ('ssnap_org_band_7_nurses_wte_per_10_beds', 'supporting', 1, 'Band 7 nurses WTE per 10 beds'),
    (
        'ssnap_org_clinical_psychologist_wte_per_30_beds', 'supporting', 2,
        'Clinical psychologist WTE per 30 beds (qualified)'
    ),
    (
        'ssnap_org_nurses_per_10_type_1_beds_saturday', 'supporting', 4,
        'Nurses per 10 type 1 beds 10am Saturdays'
    ),
    (
        'ssnap_org_nurses_per_10_type_1_beds_sunday', 'supporting', 4,
        'Nurses per 10 type 1 beds 10am Sundays'
    ),
    ('ssnap_org_occupational_therapy_days_per_week', 'supporting', 5, '(e) Occupational Therapy (qualified)'),
    ('ssnap_org_physiotherapy_days_per_week', 'supporting', 5, '(g) Physiotherapy (qualified)'),
    (
        'ssnap_org_speech_language_therapy_days_per_week', 'supporting', 5,
        '(i) Speech & Language Therapy (qualified)'
    )
),

matches as (
    select * from {{ ref('int_ssnap__trust_name_matches') }}
)

select
    'ssnap_org_audit' as source_id,
    indicator_rows.indicator_id,
    matches.org_code as org_code_published,
    'team' as org_level,
    answers.site_name as org_unit_name,
    answers.period_start,
    answers.period_end,
    answers.period_label,
    cast(null as double) as numerator,
    cast(null as double) as denominator,
    case when answers.value_status = 'published' then answers.answer_value end as value,
    answers.value_status,
    answers.release_sha256,
    answers.release_label,
    'all' as breakdown,
    matches.unmatched_reason
from answers
inner join indicator_rows
    on
        answers.row_kind = indicator_rows.row_kind
        and coalesce(answers.key_indicator, 0) = coalesce(indicator_rows.key_indicator, 0)
        and (indicator_rows.item is null or answers.item = indicator_rows.item)
left join matches on answers.trust_name = matches.published_name
