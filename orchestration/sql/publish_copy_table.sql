create table {target} as select * from build.{target}
