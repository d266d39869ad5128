-- The releases of the sources file this refresh runs with, in their sources.yml order (oldest first).
create or replace table meta.source_releases (
    source_id varchar not null,
    release_label varchar not null,
    release_position integer not null,
    period_start date,
    period_end date,
    period_label varchar,
    primary key (source_id, release_label)
);
