-- A curated SSNAP row in seeds/indicator_catalogue.csv must name an id the pipeline generates;
-- otherwise it is a typo (or SSNAP renamed the measure) and would silently override nothing.
select catalogue.indicator_id
from {{ ref('indicator_catalogue') }} as catalogue
left join {{ ref('int_ssnap__measure_ids') }} as generated_ids
    on catalogue.indicator_id = generated_ids.indicator_id
where
    catalogue.source_id = 'ssnap_thrombectomy'
    and generated_ids.indicator_id is null
