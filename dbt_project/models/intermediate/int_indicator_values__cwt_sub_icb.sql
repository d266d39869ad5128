-- Cancer Waiting Times by the commissioner's Sub-ICB location in the indicator shape: three
-- indicators per Sub-ICB location and month (cwt_28_day_fds, cwt_31_day_combined,
-- cwt_62_day_combined; numerator = pathways within the standard, denominator = all pathways,
-- value = % within the standard), summed over the publisher's sub-categories (31-day first and
-- subsequent treatments, 62-day routes), which do not overlap. breakdown is always 'all'.
--
-- Every published row is kept, so the rows of a month add up to the England totals:
-- * Sub-ICB location codes (and NHS England's commissioning hubs 13Q, 14M, 14Q, 14R, 14T, 32T, 76A,
--   97T, which the publisher reports in the same column and no lookup places in an ICB) are
--   org_code_published at org_level 'sub_icb';
-- * the literal UNKNOWN (commissioner not recorded) is not an organisation code: those rows have
--   org_code_published NULL, org_unit_name 'UNKNOWN' and unmatched_reason 'unknown_code', so they
--   count toward England but are never placed in an ICB.
with sub_icb_rows as (
    select * from {{ ref('stg_cwt__sub_icb_months') }}
),

summed as (
    select
        indicator_id,
        sub_icb_code,
        is_unknown_commissioner,
        period_start,
        period_end,
        period_label,
        release_sha256,
        release_label,
        sum(within_standard) as numerator,
        sum(total) as denominator
    from sub_icb_rows
    group by all
)

select
    'cwt_sub_icb' as source_id,
    indicator_id,
    case when is_unknown_commissioner then null else sub_icb_code end as org_code_published,
    'sub_icb' as org_level,
    case when is_unknown_commissioner then sub_icb_code end as org_unit_name,
    period_start,
    period_end,
    period_label,
    numerator,
    denominator,
    case when denominator > 0 then 100.0 * numerator / denominator end as value,
    case when denominator > 0 then 'published' else 'missing' end as value_status,
    release_sha256,
    release_label,
    'all' as breakdown,
    case when is_unknown_commissioner then 'unknown_code' end as unmatched_reason
from summed
