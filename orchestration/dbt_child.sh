#!/bin/sh
# Start dbt so that it dies with the refresh that started it. `kill -9` of `audit-insight run` (or
# of a Dagster run worker) cannot be caught; without this, its dbt child lives on as an orphan that
# holds the build database's write lock, and the next refresh fails until someone kills it by hand.
# setpriv (util-linux) asks the kernel to send dbt SIGKILL when its parent dies. AUDIT_INSIGHT_DBT is
# the real dbt (orchestration/dbt_runner.py sets it); without setpriv, dbt runs as before.
if command -v setpriv >/dev/null 2>&1; then
    exec setpriv --pdeathsig KILL -- "$AUDIT_INSIGHT_DBT" "$@"
fi
exec "$AUDIT_INSIGHT_DBT" "$@"
