"""Bar charts as inline SVG, drawn on the server: no scripts, no styles, no requests.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (the months shown, where the highest month was, and that the figures are
in the table that follows), so a screen reader reads one image with a text
alternative; the data table under it carries the exact figures. What a sighted reader
needs is drawn too: the title, a value axis with its unit and gridlines, the months
on the other axis and a legend. Two series in one chart differ by colour *and*
pattern (solid, striped), and a hidden small count is an outlined stub with a dotted
fill that the legend names ("fewer than 5"), never a bar of a made-up height.
Colours meet WCAG 2.1's 3:1 contrast for graphics against the chart's white ground.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from kuulolla.core.i18n import N_, gettext
from kuulolla.reports.logic import Count, number_text

WIDTH = 640
HEIGHT = 300
TOP = 64  # title and legend
BOTTOM = 36  # month labels
LEFT = 56  # value labels
RIGHT = 12
INK = "#1a1a1a"
RULE = "#595959"
GRID = "#d0d5dc"
COLOURS = ("#1d5c96", "#8a4500")  # 6.9:1 and 6.6:1 against white
HIDDEN = "#595959"

HIDDEN_LEGEND = N_("fewer than {n}: not drawn")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[Count]


def _ticks(top: int) -> list[int]:
    """Round values from 0 to at least ``top``, five or six of them: 0, 50, 100 …"""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = max(1, int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))
    return list(range(0, math.ceil(top / step) * step + 1, step))


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str,
    threshold: int,
    locale: str,
) -> Markup:
    """An accessible bar chart: one group of bars per label, one bar per series."""
    if not series or any(len(s.values) != len(labels) for s in series):
        raise ValueError("one value per label in every series")
    cid = escape(chart_id)
    drawn = [[v.chart_value() for v in s.values] for s in series]
    top = max((v for row in drawn for v in row if v is not None), default=0)
    ticks = _ticks(top)
    scale_top = ticks[-1] or 1
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    base = HEIGHT - BOTTOM
    slot = plot_w / max(len(labels), 1)
    group = slot * 0.72
    bar = group / len(series)

    def y(value: float) -> float:
        return base - plot_h * value / scale_top

    parts = [
        f'<svg class="chart" id="{cid}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        "<defs>",
        f'<pattern id="{cid}-stripes" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{COLOURS[1]}"/></pattern>',
        f'<pattern id="{cid}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#ffffff"/><circle cx="2.5" cy="2.5" r="1" '
        f'fill="{HIDDEN}"/></pattern>',
        "</defs>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="8" y="20" font-size="15" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    # Legend: the series, then what an outlined dotted stub means.
    x = 8.0
    for i, s in enumerate(series):
        fill = COLOURS[0] if i == 0 else f"url(#{cid}-stripes)"
        parts.append(
            f'<rect x="{x:.1f}" y="31" width="14" height="14" fill="{fill}" '
            f'stroke="{COLOURS[i]}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x + 19:.1f}" y="43" font-size="12" fill="{INK}">{escape(s.name)}</text>'
        )
        x += 19 + 7.2 * len(s.name) + 16
    hidden_text = gettext(locale, HIDDEN_LEGEND, n=threshold)
    parts.append(
        f'<rect x="{x:.1f}" y="31" width="14" height="14" fill="url(#{cid}-dots)" '
        f'stroke="{HIDDEN}" stroke-width="1" stroke-dasharray="2 2"/>'
    )
    parts.append(
        f'<text x="{x + 19:.1f}" y="43" font-size="12" fill="{INK}">{escape(hidden_text)}</text>'
    )
    # Value axis: gridlines with their numbers, and the unit above them.
    parts.append(f'<text x="8" y="{TOP - 6}" font-size="11" fill="{INK}">{escape(unit)}</text>')
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
            f'stroke="{GRID if tick else RULE}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(number_text(tick, locale))}</text>'
        )
    for i, label in enumerate(labels):
        left = LEFT + i * slot + (slot - group) / 2
        for j, values in enumerate(drawn):
            value = values[i]
            bx = left + j * bar
            if value is None:  # hidden: a short outlined stub, never a made-up height
                parts.append(
                    f'<rect x="{bx + 1:.1f}" y="{base - 6}" width="{bar - 2:.1f}" height="6" '
                    f'fill="url(#{cid}-dots)" stroke="{HIDDEN}" stroke-width="1" '
                    f'stroke-dasharray="2 2"/>'
                )
                continue
            h = base - y(value)
            if h > 0:
                fill = COLOURS[0] if j == 0 else f"url(#{cid}-stripes)"
                parts.append(
                    f'<rect x="{bx + 1:.1f}" y="{base - h:.1f}" width="{bar - 2:.1f}" '
                    f'height="{h:.1f}" fill="{fill}" stroke="{COLOURS[j]}" stroke-width="1"/>'
                )
        parts.append(
            f'<text x="{LEFT + i * slot + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def highest(labels: Sequence[str], values: Sequence[Count], locale: str) -> tuple[str, str] | None:
    """The label and text of the highest drawn value, for the description."""
    best = None
    for label, value in zip(labels, values, strict=True):
        shown = value.chart_value()
        if shown is not None and shown > 0 and (best is None or shown > best[0]):
            best = (shown, label, value.text(locale))
    return None if best is None else (best[1], best[2])
