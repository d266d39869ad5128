{#
    Suppression markers used by NHS publishers for values withheld to protect small numbers
    ('*', '-', '..', 'c', 'x', 'X', 'TFP' = too few patients). A marker becomes value NULL with
    status 'suppressed'; it is never turned into 0.
#}
{% macro suppression_markers() -%}
    ('*', '-', '..', 'c', 'x', 'X', 'TFP', ':')
{%- endmacro %}

{#
    Status of a published cell given its text as published and the number parsed from it:
    'published' when there is a number, 'suppressed' for a suppression marker, else 'missing'.
#}
{% macro value_status(text_column, numeric_column) -%}
    case
        when {{ numeric_column }} is not null then 'published'
        when trim({{ text_column }}) in {{ suppression_markers() }} then 'suppressed'
        else 'missing'
    end
{%- endmacro %}
