-- Each ONS area code any geography vintage gives an ODS organisation, with the indicator level it
-- stands for: ICB (and STP) E54 -> 'icb', Sub-ICB location (and CCG) E38 -> 'sub_icb', NHS England
-- region E40 -> 'nhs_region'. One ONS code belongs to one ODS code across vintages. Sources that
-- publish by ONS code (CVDPREVENT, Fingertips) place their rows through it.
select distinct
    ons_code,
    org_code,
    case
        when org_type in ('icb', 'stp') then 'icb'
        when org_type in ('sub_icb', 'ccg') then 'sub_icb'
        when org_type = 'nhs_region' then 'nhs_region'
    end as org_level
from {{ ref('int_geography__org_vintages') }}
where ons_code is not null
