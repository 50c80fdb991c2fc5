"""Charts drawn on the server as SVG: no JavaScript, readable in any browser
and printable. Each chart is an image with a <title> and <desc> (role="img",
labelled by both), and the page puts a data table beside it, so nothing is
conveyed by the drawing alone. Shapes as well as colours tell series apart
where it matters (significance in the effect plot).

Functions take plain data and return safe markup; every piece of text is
escaped here.

Sizing: a chart is as wide as its container (width 100%, the viewBox keeps its
proportions) up to its drawn width, and no narrower than READABLE times that
width, so its text never shrinks below about 10 px. On a screen narrower than
that (a 900-unit chart on a 320 px phone) the chart scrolls sideways inside its
own focusable box, as wide tables do, and the page itself never does. Labels
wrap onto further lines rather than being cut.
"""

import math
import textwrap

from django.utils.html import escape
from django.utils.safestring import mark_safe

# GOV.UK Frontend colours with at least 3:1 contrast against white.
PALETTE = ["#1d70b8", "#00703c", "#4c2c92", "#505a5f", "#d4351c", "#912b88"]
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"
GRID = "#b1b4b6"


# The narrowest a chart is drawn, as a share of its own width: 14-unit text stays about 10 px.
READABLE = 0.7
LINE = 17  # units between wrapped label lines
# The Content Security Policy refuses style="" attributes, so a chart's size limits come from
# static/registry/registry.css, chosen by the chart's data-size: its drawn width rounded up to
# a hundred (about 5% wider than drawn at most, for the 380-unit bar chart), which the rule
# sets as max-width, with READABLE of it as min-width.
SIZE_STEP = 100
SIZES = range(300, 1001, SIZE_STEP)


def _size(width):
    size = max(SIZES[0], math.ceil(width / SIZE_STEP) * SIZE_STEP)
    if size not in SIZES:
        raise ValueError(f"No size rule for a chart {width} units wide (registry.css has {SIZES[0]} to {SIZES[-1]}).")
    return size


def _svg(chart_id, width, height, title, desc, body):
    return mark_safe(
        f'<svg class="registry-chart" data-size="{_size(width)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _text(x, y, text, *, size=14, anchor="start", fill=TEXT, weight="normal"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(str(text))}</text>'
    )


def _lines(text, chars):
    """A label broken into lines of at most `chars` characters (a long word stays whole)."""
    return textwrap.wrap(str(text), chars, break_long_words=False, break_on_hyphens=False) or [""]


def _label(x, y, lines, *, size=14, anchor="start", fill=TEXT, weight="normal"):
    """Several lines of text, the first on the baseline y."""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if n == 0 else LINE}">{escape(line)}</tspan>' for n, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{spans}</text>'
    )


def nice_ticks(low, high, count=5, integer=False):
    """Round tick values covering low..high (for example 0, 5, 10, 15);
    whole numbers only when `integer` (counts of evaluations)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    if integer:
        raw = max(raw, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 0.001:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _number(value):
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace("-", "\u2212")  # a true minus sign reads better than a hyphen


def bar_chart(items, *, chart_id, title, desc, label_width=170, width=380):
    """Horizontal bars, one per item ({"label", "count"}); labels wrap beside their bar."""
    top = 10
    labels = [_lines(item["label"], 22) for item in items]
    rows = [max(34, LINE * len(lines) + 14) for lines in labels]
    height = top + sum(rows) + 30
    plot = width - label_width - 50
    ticks = nice_ticks(0, max([i["count"] for i in items] + [1]), 4, integer=True)
    scale = plot / ticks[-1]
    body = []
    for tick in ticks:
        x = label_width + tick * scale
        body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 24}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(x, height - 8, _number(tick), size=12, anchor="middle", fill=SECONDARY))
    y = top
    for item, lines, row in zip(items, labels, rows, strict=True):
        middle = y + row / 2
        body.append(_label(label_width - 8, middle + 5 - LINE * (len(lines) - 1) / 2, lines, anchor="end"))
        w = item["count"] * scale
        body.append(f'<rect x="{label_width}" y="{middle - 11:.1f}" width="{w:.1f}" height="22" fill="{PALETTE[0]}"/>')
        body.append(_text(label_width + w + 6, middle + 5, _number(item["count"]), weight="bold"))
        y += row
    return _svg(chart_id, width, height, title, desc, body)


def grouped_columns(categories, series, *, chart_id, title, desc, width=None, plot_height=220):
    """Vertical bars grouped by category (years), one colour per series, with a
    legend. As wide as its years need (a few years draw a narrow chart that fits
    a phone), up to 900 units."""
    width = width or max(480, min(900, 80 + 70 * len(categories)))
    per_row = max(1, (width - 50) // 210)
    left, legend, bottom = 50, 30 + 24 * math.ceil(len(series) / per_row), 40
    height = legend + plot_height + bottom
    plot_width = width - left - 10
    peak = max([c for s in series for c in s["counts"]] + [1])
    ticks = nice_ticks(0, peak, 4, integer=True)
    scale = plot_height / ticks[-1]
    body = []
    for n, s in enumerate(series):
        x, y = left + (n % per_row) * 210, 10 + (n // per_row) * 24
        body.append(f'<rect x="{x}" y="{y}" width="16" height="16" fill="{PALETTE[n % len(PALETTE)]}"/>')
        body.append(_text(x + 22, y + 13, s["name"]))
    base = legend + plot_height
    for tick in ticks:
        y = base - tick * scale
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 8, y + 4, _number(tick), size=12, anchor="end", fill=SECONDARY))
    slot = plot_width / max(len(categories), 1)
    bar = max(min((slot - 6) / max(len(series), 1), 28), 1)
    label_every = 1 if len(categories) <= 20 else 5
    for i, category in enumerate(categories):
        x0 = left + i * slot + (slot - bar * len(series)) / 2
        for n, s in enumerate(series):
            h = s["counts"][i] * scale
            if h:
                body.append(
                    f'<rect x="{x0 + n * bar:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[n % len(PALETTE)]}"/>'
                )
                if bar >= 14:  # room for the count above the bar
                    body.append(_text(x0 + (n + 0.5) * bar, base - h - 5, s["counts"][i], size=12, anchor="middle"))
        if i % label_every == 0:
            body.append(_text(left + i * slot + slot / 2, base + 20, category, size=12, anchor="middle"))
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{TEXT}" stroke-width="1"/>')
    return _svg(chart_id, width, height, title, desc, body)


def _marker(x, y, significance, colour):
    if significance == "significant":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" stroke="{colour}" stroke-width="2"/>'
    if significance == "not_significant":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    return (
        f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" '
        f'fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    )


SIGNIFICANCE_KEY = [
    ("significant", "Statistically significant"),
    ("not_significant", "Not statistically significant"),
    ("not_reported", "Significance not reported"),
]


def effect_plot(points, unit, *, chart_id, title, desc, width=900):
    """A dot plot of effect sizes in one unit: a row per finding, a dot at the
    effect, a line across its confidence interval, and the marker's shape
    showing significance (filled circle, open circle, open square). Each row's
    outcome and evaluation are written out in full, wrapped over as many lines
    as they need."""
    label_width, top = 330, 64
    labels = [(_lines(p["outcome"], 40), _lines(p["evaluation"], 46)) for p in points]
    rows = [max(52, LINE * (len(outcome) + len(evaluation)) + 16) for outcome, evaluation in labels]
    height = top + sum(rows) + 36
    values = [p["value"] for p in points] + [p["lower"] for p in points if p["lower"] is not None]
    values += [p["upper"] for p in points if p["upper"] is not None] + [0]
    ticks = nice_ticks(min(values), max(values), 5)
    lo, hi = ticks[0], ticks[-1]
    plot_left, plot_right = label_width + 20, width - 110

    def x(value):
        return plot_left + (value - lo) / (hi - lo) * (plot_right - plot_left)

    body = []
    for n, (code, label) in enumerate(SIGNIFICANCE_KEY):
        lx = 20 + n * 290
        body.append(_marker(lx + 8, 18, code, PALETTE[0]))
        body.append(_text(lx + 22, 23, label))
    body.append(_text(plot_left + (plot_right - plot_left) / 2, 50, f"Effect ({unit})", anchor="middle", weight="bold"))
    body.append(_text(plot_right + 14, 50, "Value", weight="bold"))
    base = top + sum(rows)
    for tick in ticks:
        tx = x(tick)
        stroke = TEXT if tick == 0 else GRID
        body.append(f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{base}" stroke="{stroke}" stroke-width="1"/>')
        body.append(_text(tx, base + 20, _number(tick), size=12, anchor="middle", fill=SECONDARY))
    row_top = top
    for point, (outcome, evaluation), row in zip(points, labels, rows, strict=True):
        y = row_top + row / 2
        first = y + 5 - LINE * (len(outcome) + len(evaluation) - 1) / 2
        body.append(_label(label_width, first, outcome, anchor="end", weight="bold"))
        body.append(_label(label_width, first + LINE * len(outcome), evaluation, size=12, anchor="end", fill=SECONDARY))
        if point["lower"] is not None:
            body.append(
                f'<line x1="{x(point["lower"]):.1f}" y1="{y:.1f}" x2="{x(point["upper"]):.1f}" y2="{y:.1f}" '
                f'stroke="{PALETTE[0]}" stroke-width="3"/>'
            )
        body.append(_marker(x(point["value"]), y, point["significance"], PALETTE[0]))
        body.append(_text(plot_right + 14, y + 5, _number(point["value"]), weight="bold"))
        row_top += row
    return _svg(chart_id, width, height, title, desc, body)


def timeline(lanes, *, chart_id, title, desc, width=900):
    """Event dates of several records on one time axis: a lane per record, a
    filled dot for an actual date and an open dot for an intended one."""
    label_width, top = 290, 34
    xs = [p["x"] for lane in lanes for p in lane["points"]]
    if not xs:
        return ""
    labels = [_lines(lane["label"], 36) for lane in lanes]
    rows = [max(40, LINE * len(lines) + 16) for lines in labels]
    first, last = math.floor(min(xs)), math.floor(max(xs)) + 1
    plot_left, plot_right = label_width + 20, width - 20
    height = top + sum(rows) + 34

    def x(value):
        return plot_left + (value - first) / (last - first) * (plot_right - plot_left)

    body = [
        _marker(28, 14, "significant", PALETTE[0]),
        _text(42, 19, "Actual date"),
        _marker(180, 14, "not_significant", PALETTE[0]),
        _text(194, 19, "Intended or not stated"),
    ]
    base = top + sum(rows)
    step = max(1, math.ceil((last - first) / 12))
    for year in range(first, last + 1):
        if (year - first) % step:
            continue
        body.append(
            f'<line x1="{x(year):.1f}" y1="{top}" x2="{x(year):.1f}" y2="{base}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(x(year), base + 20, year, size=12, anchor="middle", fill=SECONDARY))
    row_top = top
    for n, (lane, lines, row) in enumerate(zip(lanes, labels, rows, strict=True)):
        y = row_top + row / 2
        row_top += row
        body.append(_label(label_width, y + 5 - LINE * (len(lines) - 1) / 2, lines, anchor="end"))
        body.append(
            f'<line x1="{plot_left}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        if not lane["points"]:
            body.append(_text(plot_left + 8, y - 6, "No event dates", size=12, fill=SECONDARY))
        for point in lane["points"]:
            code = "significant" if point["actual"] else "not_significant"
            body.append(_marker(x(point["x"]), y, code, PALETTE[n % len(PALETTE)]))
    return _svg(chart_id, width, height, title, desc, body)
