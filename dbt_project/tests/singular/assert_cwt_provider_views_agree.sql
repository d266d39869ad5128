-- int_indicator_values__cwt_provider sums only the by-cancer-type view of the 31- and 62-day rows,
-- on the ground that the publisher's by-modality view holds the same pathways. If a file ever
-- breaks that (a modality or cancer type missing from one view), the 'all' values would be wrong:
-- fail, naming the provider, month, standard and stage/route.
with views as (
    select
        release_label,
        org_code,
        period_start,
        standard,
        stage_route,
        sum(total_treated) filter (where row_view = 'cancer_type') as total_by_cancer_type,
        sum(total_treated) filter (where row_view = 'modality') as total_by_modality,
        sum(within_standard) filter (where row_view = 'cancer_type') as within_by_cancer_type,
        sum(within_standard) filter (where row_view = 'modality') as within_by_modality
    from {{ ref('stg_cwt__provider_months') }}
    where row_view in ('cancer_type', 'modality')
    group by all
)

select *
from views
where
    total_by_cancer_type is distinct from total_by_modality
    or within_by_cancer_type is distinct from within_by_modality
