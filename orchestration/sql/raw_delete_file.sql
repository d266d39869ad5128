delete from {table} where _file_sha256 = ?
