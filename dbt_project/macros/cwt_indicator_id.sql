{# The indicator id of a Cancer Waiting Times standard as published (the three standards in force from
   October 2023). The sources' Great Expectations suites admit only these three values. #}
{% macro cwt_indicator_id(column) -%}
    case trim({{ column }})
        when '28-day FDS' then 'cwt_28_day_fds'
        when '31-day Combined' then 'cwt_31_day_combined'
        when '62-day Combined' then 'cwt_62_day_combined'
    end
{%- endmacro %}
