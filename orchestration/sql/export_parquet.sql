copy (select * from {target}) to {path} (format parquet, compression zstd)
