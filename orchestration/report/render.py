"""Render a report's content as one self-contained HTML file (plus its CSV tables), and the index page.

Jinja2 with autoescaping on: every published name and label is escaped; only the SVG strings built
by ``charts`` (which escape their own text) are marked safe. CSS is inlined from
``templates/report.css``; there is no JavaScript and nothing is fetched, so the file opens offline.
"""

import os
import tempfile
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from orchestration.report import charts
from orchestration.report.content import CSV_COLUMNS, ReportContent
from orchestration.report.findings import format_value
from orchestration.report.safe_csv import write_csv


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("orchestration.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_svg"] = lambda svg: Markup(svg or "")
    env.filters["pct"] = lambda v: "" if v is None else f"{v * 100:.1f}%"
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}"
    env.filters["fmt"] = format_value
    env.filters["when"] = lambda v: (
        "" if v is None else (v.strftime("%d %b %Y") if hasattr(v, "strftime") else str(v))
    )
    return env


def _css() -> Markup:
    text = (
        resources.files("orchestration.report")
        .joinpath("templates", "report.css")
        .read_text(encoding="utf-8")
    )
    return Markup(text)


def render_report(content: ReportContent) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(r=content, css=_css(), palette=charts.PALETTE, on_colour=charts.ON_COLOUR)


def render_index(entries: list[dict], generated_at: str, release_id: str | None) -> str:
    template = _environment().get_template("index.html.j2")
    return template.render(entries=entries, generated_at=generated_at, release_id=release_id, css=_css())


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(content: ReportContent, directory: Path) -> Path:
    """``<directory>/index.html`` and ``<directory>/csv/<table>.csv``; returns the HTML path."""
    csv_dir = directory / "csv"
    for name, columns in CSV_COLUMNS.items():
        write_csv(csv_dir / f"{name}.csv", columns, content.tables.get(name, []))
    html_path = directory / "index.html"
    _atomic_write(html_path, render_report(content))
    return html_path


def write_index(path: Path, entries: list[dict], generated_at: str, release_id: str | None) -> Path:
    _atomic_write(path, render_index(entries, generated_at, release_id))
    return path
