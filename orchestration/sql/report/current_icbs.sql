-- Today's ICBs (the 36 after the April 2026 mergers): ICB codes still open and not succeeded, with
-- their NHS England region. A merged ICB (e.g. QHG) has a valid_to and a successor, so it drops out.
select
    icb.org_code as icb_code,
    icb.org_name as icb_name,
    icb.region_code,
    coalesce(region.org_name, icb.region_code) as region_name
from marts.dim_organisations as icb
left join marts.dim_organisations as region on icb.region_code = region.org_code
where icb.org_type = 'icb' and icb.valid_to is null and icb.successor_org_code is null
order by icb.org_name
