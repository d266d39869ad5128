-- One row per Cancer Alliance code ever used (ONS CAL21 codes from the April 2021 lookup and the
-- NCPES 2022 mapping, CAL24 codes from the April 2024 list). A code replaced in
-- seeds/geography_changes.csv ends the day before the change and names its successor; the ODS-style
-- alliance code (e.g. N69) is taken from the NCL provider mapping by name.
with listed as (
    select
        cancer_alliance_ons_code as org_code,
        cancer_alliance_name as org_name,
        lookup_date
    from {{ ref('stg_ons__ccg_stp_cancer_alliance') }}

    union

    select
        cancer_alliance_ons_code as org_code,
        cancer_alliance_name as org_name,
        lookup_date
    from {{ ref('stg_ncpes__sicbl_cancer_alliances') }}

    union

    select
        cancer_alliance_ons_code as org_code,
        cancer_alliance_name as org_name,
        lookup_date
    from {{ ref('stg_ons__cancer_alliances') }}
),

changes as (
    select * from {{ ref('geography_changes') }}
    where org_type = 'cancer_alliance' and effective_date <= current_date
),

ods_codes as (
    select distinct
        cancer_alliance_name,
        cancer_alliance_ods_code
    from {{ ref('stg_ncl__provider_cancer_alliances') }}
    where cancer_alliance_ods_code is not null
),

latest as (
    select
        org_code,
        org_name,
        min(lookup_date) over (partition by org_code) as valid_from
    from listed
    qualify row_number() over (partition by org_code order by lookup_date desc, org_name asc) = 1
)

select
    latest.org_code,
    latest.org_name,
    ods_codes.cancer_alliance_ods_code as ods_code,
    latest.valid_from,
    cast(replaced.effective_date - interval 1 day as date) as valid_to,
    replaced.new_code as successor_org_code
from latest
left join changes as replaced on latest.org_code = replaced.old_code
left join ods_codes
    on
        {{ normalise_org_name('latest.org_name') }} = {{ normalise_org_name('ods_codes.cancer_alliance_name') }}
        and replaced.old_code is null
