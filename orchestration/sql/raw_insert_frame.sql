-- Insert a parsed frame with its lineage; columns are matched by name so column order can drift.
insert into {table} by name
select
    *,
    cast(? as varchar) as _source_id,
    cast(? as varchar) as _release,
    cast(? as varchar) as _file_sha256,
    cast(? as timestamptz) as _fetched_at,
    cast(row_number() over () as bigint) as _row_number
from {frame}
