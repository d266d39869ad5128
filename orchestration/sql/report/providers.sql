-- The ICB's providers by today's geography: open NHS trusts whose host ICB today is this ICB, plus
-- any other provider placed on the ICB that has a benchmarked value (independent providers, SSNAP
-- teams' trusts), so every provider shown elsewhere in the report has a row in the provider view.
with placed as (
    select org_code, org_name, org_type
    from marts.dim_organisations
    where icb_code = $icb and org_type = 'trust' and valid_to is null and successor_org_code is null
),

benchmarked as (
    select distinct b.org_code
    from marts.benchmarks as b
    where
        b.icb_code = $icb
        and b.org_level in ('trust', 'team', 'independent_provider', 'other_provider')
        and b.org_code is not null
)

select org_code, org_name, org_type from placed
union
select o.org_code, o.org_name, o.org_type
from benchmarked as b
inner join marts.dim_organisations as o on b.org_code = o.org_code
order by org_name
