{#
    Revisions: the raw tables keep every file ever loaded, and a publisher can re-issue a file for
    a release it has already published (a new sha256 under the same release label). Staging keeps
    only the latest fetched file per release; ties on _fetched_at are broken by the hash so the
    choice is deterministic. Every staging model reads its source through this macro.
#}
{% macro latest_release_files(relation) -%}
    (
        select *
        from {{ relation }}
        qualify
            dense_rank() over (
                partition by _release
                order by _fetched_at desc, _file_sha256 desc
            ) = 1
    )
{%- endmacro %}
