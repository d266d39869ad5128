"""audit-insight: NHS clinical audit and outcome data conformed to Integrated Care Boards.

Telemetry of every tool in the stack is switched off before any of them is imported: the pipeline
runs on networks that silently drop outbound packets, where dbt's tracking alone adds seconds to
every command, and an ICB's data platform should not phone home.
"""

import os

for _name, _value in (
    ("DAGSTER_DISABLE_TELEMETRY", "1"),
    ("DBT_SEND_ANONYMOUS_USAGE_STATS", "False"),
    ("DO_NOT_TRACK", "1"),
    ("GX_ANALYTICS_ENABLED", "False"),
):
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
