"""Bar charts as inline SVG, drawn on the server: no scripts, no styles, no requests.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (which says where the highest month was and that the figures are in the
table that follows), so a screen reader reads one image with a text alternative; the
data table under it carries the exact figures. A hidden small count draws no bar,
only its "< 5" text; a lower bound ("≥ 12") draws a bar of the visible part.
Colours meet WCAG 2.1's 3:1 contrast for graphics against white.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from kuulolla.reports.logic import Count

WIDTH = 640
HEIGHT = 220
TOP = 24
BOTTOM = 40
LEFT = 8
BAR = "#1d5c96"  # 6.9:1 against white
INK = "#1a1a1a"
RULE = "#595959"


def bar_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[Count]
) -> Markup:
    """An accessible bar chart of ``values`` (one per label)."""
    if len(labels) != len(values):
        raise ValueError("one label per value")
    drawn = [v.chart_value() or 0 for v in values]
    top = max(drawn, default=0) or 1
    slot = (WIDTH - 2 * LEFT) / max(len(values), 1)
    bar_width = slot * 0.62
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - LEFT}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{RULE}" stroke-width="1"/>',
    ]
    for i, (label, value, height_of) in enumerate(zip(labels, values, drawn, strict=True)):
        x = LEFT + i * slot + (slot - bar_width) / 2
        h = plot * height_of / top
        y = HEIGHT - BOTTOM - h
        centre = x + bar_width / 2
        if h > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
                f'fill="{BAR}"/>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{escape(value.text())}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def highest(labels: Sequence[str], values: Sequence[Count]) -> tuple[str, str] | None:
    """The label and text of the highest drawn value, for the description."""
    best = None
    for label, value in zip(labels, values, strict=True):
        shown = value.chart_value()
        if shown is not None and shown > 0 and (best is None or shown > best[0]):
            best = (shown, label, value.text())
    return None if best is None else (best[1], best[2])
