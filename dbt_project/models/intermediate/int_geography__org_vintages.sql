-- Sub-ICB locations (CCGs in 2021), ICBs (STPs in 2021) and NHS England regions as they appear in
-- each geography vintage: one row per organisation (by ODS code) per vintage, with its ONS code and
-- parent as at that date.
with vintages as (
    select * from {{ ref('int_geography__area_vintages') }}
),

organisations as (
    select distinct
        case when basis = 'ons_ccg_stp_cancer_alliance' then 'ccg' else 'sub_icb' end as org_type,
        sicbl_ods_code as org_code,
        sicbl_ons_code as ons_code,
        sicbl_name as org_name,
        icb_ods_code as parent_org_code,
        icb_ods_code,
        region_ods_code as region_code,
        vintage_date as lookup_date,
        vintage_label as lookup_label
    from vintages

    union all

    select distinct
        case when basis = 'ons_ccg_stp_cancer_alliance' then 'stp' else 'icb' end as org_type,
        icb_ods_code as org_code,
        icb_ons_code as ons_code,
        icb_name as org_name,
        region_ods_code as parent_org_code,
        icb_ods_code,
        region_ods_code as region_code,
        vintage_date as lookup_date,
        vintage_label as lookup_label
    from vintages

    union all

    select distinct
        'nhs_region' as org_type,
        region_ods_code as org_code,
        region_ons_code as ons_code,
        region_name as org_name,
        '{{ var("england_code") }}' as parent_org_code,
        null as icb_ods_code,
        region_ods_code as region_code,
        vintage_date as lookup_date,
        vintage_label as lookup_label
    from vintages
    where region_ods_code is not null and basis <> 'ons_ccg_stp_cancer_alliance'
)

select * from organisations
