{#
    Fails for every row where the boolean SQL expression is not true (NULL counts as a failure
    unless the expression handles it). `row_filter` (optional SQL, may use ref()) narrows the rows
    checked; the standard `where` config works too but cannot use ref().
#}
{% test expression_is_true(model, expression, row_filter=none) %}
select *
from {{ model }}
where
    not coalesce(({{ expression }}), false)
    {% if row_filter %}and ({{ row_filter }}){% endif %}
{% endtest %}
