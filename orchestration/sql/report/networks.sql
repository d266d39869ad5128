-- The Cancer Alliances and Integrated Stroke Delivery Networks the ICB's organisations belong to
-- today (current memberships of the ICB itself, its Sub-ICB locations and its trusts), largest first.
select
    m.parent_type,
    m.parent_code,
    coalesce(network.org_name, m.parent_code) as network_name,
    count(distinct m.org_code) as members
from marts.dim_organisation_memberships as m
inner join marts.dim_organisations as member on m.org_code = member.org_code
left join marts.dim_organisations as network on m.parent_code = network.org_code
where
    (member.icb_code = $icb or member.org_code = $icb)
    and m.parent_type in ('cancer_alliance', 'isdn')
    and m.valid_to is null
group by all
order by m.parent_type, members desc, m.parent_code
