-- Known ODS successions (data/snapshots/shmi/PROVENANCE.md): SHMI rows published under old trust
-- codes must carry today's successor in org_code.
with expected as (
    select
        pairs.org_code_published,
        pairs.expected_org_code
    from (
        values
        ('RD3', 'R0D'), ('RDZ', 'R0D'),
        ('RGC', 'R1H'), ('RNH', 'R1H'), ('RNJ', 'R1H'),
        ('RW3', 'R0A'), ('RM2', 'R0A'), ('RQ6', 'REM')
    ) as pairs (org_code_published, expected_org_code)
)

select
    fct.org_code_published,
    fct.org_code,
    expected.expected_org_code
from {{ ref('fct_indicator_values') }} as fct
inner join expected on fct.org_code_published = expected.org_code_published
where
    fct.source_id = 'shmi'
    and fct.org_code is distinct from expected.expected_org_code
