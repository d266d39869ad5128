{#
    Normalise an organisation name for matching published names to ODS names: upper case,
    '&' -> 'AND', punctuation removed, the word 'THE' removed, whitespace collapsed.
    Example: "The Queen Elizabeth Hospital, King's Lynn NHS F.T." -> "QUEEN ELIZABETH HOSPITAL KINGS LYNN NHS FT"
#}
{% macro normalise_org_name(column) -%}
    nullif(
        trim(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        replace(upper({{ column }}), '&', ' AND '),
                        '[^A-Z0-9 ]', '', 'g'
                    ),
                    '\bTHE\b', ' ', 'g'
                ),
                '\s+', ' ', 'g'
            )
        ),
        ''
    )
{%- endmacro %}
