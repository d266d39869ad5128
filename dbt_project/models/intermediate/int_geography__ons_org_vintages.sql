-- Sub-ICB locations, ICBs and NHS England regions as they appear in each ONS lookup vintage:
-- one row per organisation (by ODS code) per vintage, with its ONS code and parent as at that date.
with lookup as (
    select * from {{ ref('stg_ons__sicbl_icb_nhser') }}
),

organisations as (
    select distinct
        'sub_icb' as org_type,
        sicbl_ods_code as org_code,
        sicbl_ons_code as ons_code,
        sicbl_name as org_name,
        icb_ods_code as parent_org_code,
        icb_ods_code,
        nhser_ods_code as region_code,
        lookup_date,
        lookup_label,
        release_sha256
    from lookup

    union all

    select distinct
        'icb' as org_type,
        icb_ods_code as org_code,
        icb_ons_code as ons_code,
        icb_name as org_name,
        nhser_ods_code as parent_org_code,
        icb_ods_code,
        nhser_ods_code as region_code,
        lookup_date,
        lookup_label,
        release_sha256
    from lookup

    union all

    select distinct
        'nhs_region' as org_type,
        nhser_ods_code as org_code,
        nhser_ons_code as ons_code,
        nhser_name as org_name,
        '{{ var("england_code") }}' as parent_org_code,
        null as icb_ods_code,
        nhser_ods_code as region_code,
        lookup_date,
        lookup_label,
        release_sha256
    from lookup
)

select * from organisations
