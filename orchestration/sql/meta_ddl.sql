-- Bookkeeping tables of the build database. meta.load_log makes loading idempotent: a file (by its
-- sha256) is loaded into its raw table at most once.
create schema if not exists meta;
create schema if not exists raw;
create table if not exists meta.load_log (
    source_id varchar not null,
    release_label varchar not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    rows_loaded bigint not null,
    fetched_at timestamptz not null,
    loaded_at timestamptz not null,
    primary key (source_id, file_sha256)
);
