"""The ICB Insight Report: one self-contained HTML file per ICB, built from the published marts.

``data`` reads the published warehouse (read-only, SQL in ``orchestration/sql/report/``);
``findings`` (headline, questions, provider view) and ``charts`` (inline SVG) are pure functions;
``safe_csv`` writes the tables behind the charts; ``render`` puts it together with Jinja2 and
``build`` is what the CLI and Dagster call.
"""
