{#
    Fails once per combination of the given columns that occurs more than once. NULLs compare equal
    (group by semantics), so a grain with nullable parts is still checked.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
