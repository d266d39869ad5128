-- Tables (not views) of the schemas we publish, from the attached build database.
select schema_name, table_name
from duckdb_tables()
where database_name = 'build' and list_contains(?::varchar[], schema_name)
order by schema_name, table_name
