-- One row per published row of the NHS England Cancer Waiting Times (CWT) CRS provider extracts:
-- provider x month x standard x stage/route x treatment modality x cancer type. The period comes
-- from PERIOD on each row (an extract covers one or several months).
--
-- 31- and 62-day rows are published twice, as two views of the same pathways: by cancer type
-- (treatment_modality 'ALL MODALITIES') and by modality (cancer_type 'ALL CANCERS'); 28-day FDS rows
-- have one view (route x suspected cancer type, no modality). row_view says which; adding up
-- 'fds' and 'cancer_type' rows counts every pathway once. CWT publishes every count (no suppression;
-- the parser refuses markers), so a row is 'published' unless its total is zero ('missing').
with source as (
    select * from {{ latest_release_files(source('raw', 'cwt_provider')) }}
)

select
    upper(trim(org_code)) as org_code,
    cast(period_month as date) as period_start,
    last_day(cast(period_month as date)) as period_end,
    strftime(cast(period_month as date), '%B %Y') as period_label,
    financial_year,
    trim(standard) as standard,
    {{ cwt_indicator_id('standard') }} as indicator_id,
    trim(stage_route) as stage_route,
    trim(treatment_modality) as treatment_modality,
    trim(cancer_type) as cancer_type,
    case
        when trim(standard) = '28-day FDS' then 'fds'
        when trim(treatment_modality) = 'ALL MODALITIES' and trim(cancer_type) <> 'ALL CANCERS' then 'cancer_type'
        when trim(cancer_type) = 'ALL CANCERS' and trim(treatment_modality) <> 'ALL MODALITIES' then 'modality'
    end as row_view,
    cast(total_treated as double) as total_treated,
    cast(within_standard as double) as within_standard,
    cast(breaches as double) as breaches,
    case when coalesce(total_treated, 0) > 0 then 'published' else 'missing' end as value_status,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
