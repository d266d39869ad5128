{#
    Turn dated vintages of "org belongs to parent" into validity spans.

    `edges` names a relation (CTE) with columns series, org_code, org_type, parent_type,
    parent_code, vintage_date, basis, is_inferred. A vintage says what held on its date; a relation
    runs until the day before the next vintage of the same series, and consecutive vintages with
    the same parent (and the same is_inferred) merge into one span. valid_to is NULL while the latest vintage still holds.
#}
{% macro membership_spans(edges) -%}
    (
        with series_dates as (
            select distinct
                series,
                vintage_date
            from {{ edges }}
        ),

        dated as (
            select
                edges.*,
                (
                    select min(later.vintage_date)
                    from series_dates as later
                    where later.series = edges.series and later.vintage_date > edges.vintage_date
                ) as next_vintage_date
            from {{ edges }} as edges
        ),

        flagged as (
            select
                *,
                coalesce(
                    lag(parent_code) over w <> parent_code
                    or lag(next_vintage_date) over w <> vintage_date
                    or lag(is_inferred) over w <> is_inferred,
                    true
                ) as starts_span
            from dated
            window w as (partition by org_code, org_type, parent_type order by vintage_date, parent_code)
        ),

        numbered as (
            select
                *,
                sum(case when starts_span then 1 else 0 end) over (
                    partition by org_code, org_type, parent_type
                    order by vintage_date, parent_code
                    rows between unbounded preceding and current row
                ) as span_number
            from flagged
        )

        select
            org_code,
            org_type,
            parent_type,
            any_value(parent_code) as parent_code,
            min(vintage_date) as valid_from,
            case
                when bool_or(next_vintage_date is null) then null
                else cast(max(next_vintage_date) - interval 1 day as date)
            end as valid_to,
            string_agg(distinct basis, ', ' order by basis) as basis,
            bool_or(is_inferred) as is_inferred
        from numbered
        group by org_code, org_type, parent_type, span_number
    )
{%- endmacro %}
