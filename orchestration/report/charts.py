"""Charts as inline SVG strings: pure functions of plain rows, no JavaScript, no external files.

Every chart is ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (referenced by
``aria-labelledby``) that state what it shows in words, and ``data-mart`` / ``data-key`` attributes
naming the mart and key the points come from. Colours follow one convention across the report
(``PALETTE``): NHS Blue for the ICB and its providers, greys for everyone else, and better / worse /
similar colours that are always paired with a text label, so nothing is said by colour alone.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# NHS identity colours (england.nhs.uk/nhsidentity) and Making Data Count's SPC colours.
PALETTE = {
    "icb": "#005EB8",  # NHS Blue: this ICB and its providers, everywhere
    "other": "#768692",  # NHS Mid Grey: other organisations
    "other_light": "#AEB7BD",  # NHS Pale Grey
    "text": "#212B32",
    "england": "#212B32",
    "region": "#425563",  # NHS Dark Grey
    "better": "#007F3B",  # NHS Green
    "worse": "#D5281B",  # NHS Red
    "similar": "#FFB81C",  # NHS Warm Yellow (dark text on it)
    "neutral": "#41B6E6",  # NHS Light Blue: higher / lower where no polarity is set
    "none": "#E8EDEE",  # NHS Pale Grey background: not compared / no data
    "alert": "#ED8B00",  # NHS Orange
    "alarm": "#D5281B",
    "improvement": "#41B6E6",  # Making Data Count: blue for improvement
    "concern": "#ED8B00",  # Making Data Count: orange for concern
    "neither": "#330072",  # NHS Purple: special cause where no polarity is set
    "common_cause": "#768692",
}
# Text colour to use on each status colour, chosen for contrast of at least 4.5:1.
ON_COLOUR = {
    "better": "#FFFFFF",
    "worse": "#FFFFFF",
    "similar": "#212B32",
    "neutral": "#212B32",
    "none": "#212B32",
}
STATUS_COLOURS = {
    "within": PALETTE["other_light"],
    "alert_high": PALETTE["alert"],
    "alert_low": PALETTE["alert"],
    "alarm_high": PALETTE["alarm"],
    "alarm_low": PALETTE["alarm"],
}
FONT = "font-family=\"Arial, 'Helvetica Neue', Helvetica, sans-serif\""


@dataclass(frozen=True)
class Dot:
    """One row of a dot-and-whisker chart."""

    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    highlight: bool = False
    status: str = ""  # text shown beside the row (Better, Worse, Similar, ...)
    tone: str = "none"
    code: str = ""


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of ``#RRGGBB``."""
    channels = []
    for i in (1, 3, 5):
        c = int(hex_colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two ``#RRGGBB`` colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _ok(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not (_ok(low) and _ok(high)):
        return []
    if high <= low:
        high = low + (abs(low) * 0.1 or 1.0)
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


class _Scale:
    def __init__(self, low: float, high: float, start: float, end: float):
        if high <= low:
            pad = abs(low) * 0.05 or 1.0
            low, high = low - pad, high + pad
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def _padded_range(values: Sequence[float], include_zero: bool = False) -> tuple[float, float]:
    values = [v for v in values if _ok(v)]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if include_zero:
        low = min(low, 0.0)
    pad = (high - low) * 0.05 or (abs(high) * 0.05 or 1.0)
    return low - pad, high + pad


def _open_svg(
    chart_id: str, width: int, height: int, title: str, desc: str, mart: str, key: str
) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'data-mart="{escape(mart)}" data-key="{escape(key)}" {FONT} font-size="12">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>',
    ]


def _text(
    x: float, y: float, text: str, anchor: str = "start", size: int = 12, fill: str | None = None
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill or PALETTE["text"]}">{escape(text)}</text>'
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def benchmark_chart(
    chart_id: str,
    rows: Sequence[Dot],
    *,
    england: float | None,
    region: float | None,
    region_label: str,
    title: str,
    desc: str,
    key: str,
    fmt=lambda v: _num(v),
    tick_suffix: str = "",
) -> str:
    """Dot-and-whisker: the ICB (NHS Blue) and its providers (grey) with 95% intervals, against
    England (solid line) and the region (dashed), each row's comparison written beside it."""
    width, left, right, top, row_h = 600, 210, 96, 40, 24
    height = top + row_h * max(len(rows), 1) + 40
    extent = [v for r in rows for v in (r.value, r.lower, r.upper)] + [england, region]
    scale = _Scale(*_padded_range(extent), left, width - right)
    parts = _open_svg(chart_id, width, height, title, desc, "benchmarks", key)
    bottom = top + row_h * max(len(rows), 1)
    for tick in nice_ticks(scale.low, scale.high):
        x = scale(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#E8EDEE"/>')
        parts.append(_text(x, bottom + 16, f"{tick:g}{tick_suffix}", "middle", 11))
    for label, value, dash, colour, dy in (
        ("England", england, "", PALETTE["england"], 12),
        (region_label, region, ' stroke-dasharray="5 3"', PALETTE["region"], 26),
    ):
        if _ok(value):
            x = scale(value)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}" '
                f'stroke-width="1.5"{dash}><title>{escape(label)}: {escape(fmt(value))}</title></line>'
            )
            parts.append(_text(x, dy, f"{label} {fmt(value)}", "middle", 11, fill=colour))
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        colour = PALETTE["icb"] if row.highlight else PALETTE["other"]
        weight = ' font-weight="bold"' if row.highlight else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{PALETTE["text"]}"'
            f"{weight}>{escape(_truncate(row.label, 30))}</text>"
        )
        if _ok(row.lower) and _ok(row.upper):
            parts.append(
                f'<line x1="{scale(row.lower):.1f}" y1="{y:.1f}" x2="{scale(row.upper):.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        if _ok(row.value):
            interval = f" (95% interval {fmt(row.lower)} to {fmt(row.upper)})" if _ok(row.lower) else ""
            parts.append(
                f'<circle cx="{scale(row.value):.1f}" cy="{y:.1f}" r="{6 if row.highlight else 5}" '
                f'fill="{colour}" stroke="#FFFFFF" data-org="{escape(row.code)}" data-value="{row.value!r}">'
                f"<title>{escape(row.label)}: {escape(fmt(row.value))}{escape(interval)}</title></circle>"
            )
        chip = PALETTE.get(row.tone, PALETTE["none"])
        parts.append(
            f'<rect x="{width - right + 10}" y="{y - 9:.1f}" width="{right - 14}" height="18" rx="3" fill="{chip}"/>'
        )
        parts.append(
            f'<text x="{width - right + 10 + (right - 14) / 2:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
            f'font-size="11" fill="{ON_COLOUR.get(row.tone, PALETTE["text"])}">{escape(row.status)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def variation_chart(
    chart_id: str,
    rows: Sequence[Dot],
    *,
    england: float | None,
    title: str,
    desc: str,
    key: str,
    fmt=lambda v: _num(v),
    tick_suffix: str = "",
) -> str:
    """Every ICB's value (sorted) as a column with its 95% interval: this ICB in NHS Blue and named,
    the others grey, England as a line."""
    width, height, left, right, top, bottom = 600, 280, 56, 16, 40, 60
    count = max(len(rows), 1)
    extent = [v for r in rows for v in (r.value, r.lower, r.upper)] + [england]
    y_scale = _Scale(*_padded_range(extent), height - bottom, top)
    step = (width - left - right) / count
    parts = _open_svg(chart_id, width, height, title, desc, "benchmarks", key)
    for tick in nice_ticks(y_scale.low, y_scale.high):
        y = y_scale(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#E8EDEE"/>')
        parts.append(_text(left - 6, y + 4, f"{tick:g}{tick_suffix}", "end", 11))
    if _ok(england):
        y = y_scale(england)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{PALETTE["england"]}" '
            f'stroke-width="1.5"><title>England: {escape(fmt(england))}</title></line>'
        )
        parts.append(_text(width - right, y - 5, f"England {fmt(england)}", "end", 11))
    for i, row in enumerate(rows):
        if not _ok(row.value):
            continue
        x = left + step * i + step / 2
        colour = PALETTE["icb"] if row.highlight else PALETTE["other_light"]
        if _ok(row.lower) and _ok(row.upper):
            parts.append(
                f'<line x1="{x:.1f}" y1="{y_scale(row.lower):.1f}" x2="{x:.1f}" y2="{y_scale(row.upper):.1f}" '
                f'stroke="{PALETTE["icb"] if row.highlight else PALETTE["other"]}" stroke-width="1.5"/>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y_scale(row.value):.1f}" r="{6 if row.highlight else 4}" fill="{colour}" '
            f'stroke="{PALETTE["icb"] if row.highlight else PALETTE["other"]}" data-org="{escape(row.code)}" '
            f'data-value="{row.value!r}"><title>{escape(row.label)}: {escape(fmt(row.value))} '
            f"({escape(row.status)})</title></circle>"
        )
        if row.highlight:
            # The name sits above the plot, centred over its column (kept inside the frame), with a
            # leader line down to the point: it never collides with the England label on the right.
            label_x = min(max(x, left + 140), width - right - 140)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{y_scale(row.value) - 7:.1f}" '
                f'stroke="{PALETTE["icb"]}" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{label_x:.1f}" y="{top - 10}" text-anchor="middle" font-size="12" font-weight="bold" '
                f'fill="{PALETTE["icb"]}">{escape(row.label)} {escape(fmt(row.value))} '
                f"({_ordinal(i + 1)} lowest of {count})</text>"
            )
    parts.append(_text(left, height - bottom + 20, "Lowest", "start", 11))
    parts.append(_text(width - right, height - bottom + 20, "Highest", "end", 11))
    parts.append(
        _text((left + width - right) / 2, height - 18, f"{count} ICBs, sorted by value", "middle", 11)
    )
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    code: str
    denominator: float
    value: float
    status: str
    highlight: bool
    lower_95: float | None = None
    upper_95: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None


def funnel_chart(
    chart_id: str,
    points: Sequence[FunnelPoint],
    *,
    target: float | None,
    x_label: str,
    title: str,
    desc: str,
    key: str,
    fmt=lambda v: _num(v),
    tick_suffix: str = "",
) -> str:
    """Funnel plot: every provider in England by size (x) and value (y), the 95% (alert) and 99.8%
    (alarm) limits as lines, points coloured by status, the ICB's providers ringed in NHS Blue and labelled."""
    width, height, left, right, top, bottom = 600, 320, 60, 20, 20, 50
    usable = [p for p in points if _ok(p.denominator) and _ok(p.value)]
    limits = [v for p in usable for v in (p.lower_998, p.upper_998)]
    y_low, y_high = _padded_range([p.value for p in usable] + limits + [target])
    x_scale = _Scale(0.0, max([p.denominator for p in usable] or [1.0]) * 1.05, left, width - right)
    y_scale = _Scale(y_low, y_high, height - bottom, top)
    parts = _open_svg(chart_id, width, height, title, desc, "outliers", key)
    for tick in nice_ticks(y_scale.low, y_scale.high):
        y = y_scale(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#E8EDEE"/>')
        parts.append(_text(left - 6, y + 4, f"{tick:g}{tick_suffix}", "end", 11))
    for tick in nice_ticks(0, x_scale.high):
        x = x_scale(tick)
        parts.append(_text(x, height - bottom + 16, f"{tick:,.0f}", "middle", 11))
    parts.append(_text((left + width - right) / 2, height - 12, x_label, "middle", 11))
    ordered = sorted(usable, key=lambda p: p.denominator)
    for attr, dash, name in (
        ("lower_998", "", "99.8% limit (alarm)"),
        ("upper_998", "", "99.8% limit (alarm)"),
        ("lower_95", ' stroke-dasharray="5 3"', "95% limit (alert)"),
        ("upper_95", ' stroke-dasharray="5 3"', "95% limit (alert)"),
    ):
        coords = [
            f"{x_scale(p.denominator):.1f},{y_scale(getattr(p, attr)):.1f}"
            for p in ordered
            if _ok(getattr(p, attr))
        ]
        if len(coords) > 1:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{PALETTE["region"]}" '
                f'stroke-width="1.2"{dash}><title>{name}</title></polyline>'
            )
    if _ok(target):
        y = y_scale(target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{PALETTE["england"]}" '
            f'stroke-width="1.5"><title>Target (centre line): {escape(fmt(target))}</title></line>'
        )
    # Others first, so the ICB's providers are drawn on top.
    for point in sorted(usable, key=lambda p: p.highlight):
        x, y = x_scale(point.denominator), y_scale(point.value)
        fill = STATUS_COLOURS.get(point.status, PALETTE["other_light"])
        ring = (
            f'stroke="{PALETTE["icb"]}" stroke-width="3"'
            if point.highlight
            else 'stroke="#FFFFFF" stroke-width="0.5"'
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{6 if point.highlight else 3.5}" fill="{fill}" {ring} '
            f'data-org="{escape(point.code)}" data-status="{escape(point.status)}" data-value="{point.value!r}">'
            f"<title>{escape(point.label)} ({escape(point.code)}): {escape(fmt(point.value))}, "
            f"{escape(point.status.replace('_', ' '))}</title></circle>"
        )
        if point.highlight:
            parts.append(
                f'<text x="{x + 8:.1f}" y="{y - 6:.1f}" font-size="11" font-weight="bold" '
                f'fill="{PALETTE["icb"]}">{escape(point.code)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class SpcPoint:
    label: str
    value: float
    mean: float
    lower: float | None
    upper: float | None
    variation: str
    axis_label: str = ""


def spc_chart(
    chart_id: str,
    points: Sequence[SpcPoint],
    *,
    title: str,
    desc: str,
    key: str,
    fmt=lambda v: _num(v),
    tick_suffix: str = "",
) -> str:
    """XmR chart: the values joined by a line, the mean (solid) and process limits (dashed), each
    point coloured by its Making Data Count variation (grey common cause, blue improvement, orange
    concern, purple neither)."""
    width, height, left, right, top, bottom = 600, 280, 60, 20, 20, 70
    count = max(len(points), 1)
    extent = [v for p in points for v in (p.value, p.lower, p.upper, p.mean)]
    y_scale = _Scale(*_padded_range(extent), height - bottom, top)
    step = (width - left - right) / count
    parts = _open_svg(chart_id, width, height, title, desc, "spc", key)
    for tick in nice_ticks(y_scale.low, y_scale.high):
        y = y_scale(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#E8EDEE"/>')
        parts.append(_text(left - 6, y + 4, f"{tick:g}{tick_suffix}", "end", 11))
    if points:
        first = points[0]
        for value, dash, name in (
            (first.mean, "", "Mean"),
            (first.upper, ' stroke-dasharray="6 4"', "Upper process limit"),
            (first.lower, ' stroke-dasharray="6 4"', "Lower process limit"),
        ):
            if _ok(value):
                y = y_scale(value)
                parts.append(
                    f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                    f'stroke="{PALETTE["region"]}" stroke-width="1.2"{dash}>'
                    f"<title>{name}: {escape(fmt(value))}</title></line>"
                )
                parts.append(_text(width - right, y - 4, f"{name.split()[0]} {fmt(value)}", "end", 10))
    xs = [left + step * i + step / 2 for i in range(len(points))]
    if len(points) > 1:
        coords = " ".join(f"{x:.1f},{y_scale(p.value):.1f}" for x, p in zip(xs, points, strict=True))
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{PALETTE["other"]}" stroke-width="1.5"/>'
        )
    every = max(1, math.ceil(len(points) / 12))
    for i, (x, point) in enumerate(zip(xs, points, strict=True)):
        colour = PALETTE.get(point.variation, PALETTE["common_cause"])
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y_scale(point.value):.1f}" r="4.5" fill="{colour}" stroke="#FFFFFF" '
            f'data-variation="{escape(point.variation)}" data-value="{point.value!r}">'
            f"<title>{escape(point.label)}: {escape(fmt(point.value))} "
            f"({escape(point.variation.replace('_', ' '))})</title></circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="end" '
                f'transform="rotate(-40 {x:.1f} {height - bottom + 14})" fill="{PALETTE["text"]}">'
                f"{escape(point.axis_label or point.label)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


VARIATION_ICON_TEXT = {
    "common_cause": "Common cause variation: no significant change",
    "improvement": "Special cause variation: improvement",
    "concern": "Special cause variation: concern",
    "neither": "Special cause variation: neither improvement nor concern (no polarity)",
}
ASSURANCE_ICON_TEXT = {
    "consistently_passing": "Assurance: the process will consistently pass the target",
    "consistently_failing": "Assurance: the process will consistently fail the target",
    "hit_and_miss": "Assurance: the process will hit and miss the target at random",
    None: "Assurance: not assessed (no target is set for this measure)",
}


def variation_icon(icon_id: str, variation: str, direction: str | None) -> str:
    """The Making Data Count variation icon: a circle in the variation's colour with a run of dots,
    marked H (high) or L (low) for a special cause."""
    colour = PALETTE.get(variation, PALETTE["common_cause"])
    words = VARIATION_ICON_TEXT.get(variation, variation)
    letter = {"high": "H", "low": "L"}.get(direction or "", "") if variation != "common_cause" else ""
    if letter:
        words += f" ({'higher' if letter == 'H' else 'lower'} values)"
    # The dots: flat for common cause, stepping up or down for a special cause.
    offsets = [0, 0, 0, 0, 0] if not letter else ([6, 6, 3, -2, -6] if letter == "H" else [-6, -6, -3, 2, 6])
    dots = "".join(
        f'<circle cx="{16 + i * 7}" cy="{32 + dy}" r="2.6" fill="{colour}"/>' for i, dy in enumerate(offsets)
    )
    label = (
        f'<text x="30" y="24" text-anchor="middle" font-size="16" font-weight="bold" fill="{colour}">{letter}</text>'
        if letter
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="icon" id="{escape(icon_id)}" '
        f'viewBox="0 0 60 60" width="60" height="60" aria-labelledby="{escape(icon_id)}-title" {FONT}>'
        f'<title id="{escape(icon_id)}-title">{escape(words)}</title>'
        f'<circle cx="30" cy="30" r="27" fill="#FFFFFF" stroke="{colour}" stroke-width="4"/>{dots}{label}</svg>'
    )


def assurance_icon(icon_id: str, assurance: str | None) -> str:
    """The Making Data Count assurance icon: P (passing, blue), F (failing, orange), ? (hit and miss,
    grey); a dashed grey circle with a dash when no target is set, as here for every measure today."""
    words = ASSURANCE_ICON_TEXT.get(assurance, str(assurance))
    colour, letter, dash = {
        "consistently_passing": (PALETTE["improvement"], "P", ""),
        "consistently_failing": (PALETTE["concern"], "F", ""),
        "hit_and_miss": (PALETTE["common_cause"], "?", ""),
    }.get(assurance or "", (PALETTE["other_light"], "–", ' stroke-dasharray="6 4"'))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="icon" id="{escape(icon_id)}" '
        f'viewBox="0 0 60 60" width="60" height="60" aria-labelledby="{escape(icon_id)}-title" {FONT}>'
        f'<title id="{escape(icon_id)}-title">{escape(words)}</title>'
        f'<circle cx="30" cy="30" r="27" fill="#FFFFFF" stroke="{colour}" stroke-width="4"{dash}/>'
        f'<text x="30" y="38" text-anchor="middle" font-size="22" font-weight="bold" fill="{colour}">'
        f"{escape(letter)}</text></svg>"
    )
