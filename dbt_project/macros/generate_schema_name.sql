{#
    Use the configured schema name as-is (staging, intermediate, marts, reference) instead of
    dbt's default "<target schema>_<custom schema>", so every environment has the same layout
    and the published database has no `main_` prefixes.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
