{# Lower-case identifier fragment: runs of anything but a-z/0-9 become one underscore. #}
{% macro slugify(column) -%}
    trim(regexp_replace(lower(trim({{ column }})), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}
