-- Create an empty raw table shaped like the parsed frame plus the lineage columns.
create table if not exists {table} as
select
    *,
    cast(null as varchar) as _source_id,
    cast(null as varchar) as _release,
    cast(null as varchar) as _file_sha256,
    cast(null as timestamptz) as _fetched_at,
    cast(null as bigint) as _row_number
from {frame}
limit 0
