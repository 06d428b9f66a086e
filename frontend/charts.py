"""Small charts drawn on the server as inline SVG: no script, no library, readable by screen
readers (each chart is an image with a title and a text description; pages put the same
figures in a table beside it), drawn at its natural size in CSS pixels and shrunk to the width
of its box when that is narrower, so a phone shows it whole.

Colours come from classes styled in site.css (`chart-bar`, `chart-axis`, `chart-label`), never
from inline styles (the site's CSP forbids them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_ids = count(1)

LABEL_WIDTH = 150  # user units: room for the bar's label on the left of a horizontal chart
ROW_HEIGHT = 24
BAR_AREA_WIDTH = 300
VALUE_WIDTH = 70
COLUMN_AREA_HEIGHT = 120
COLUMN_WIDTH = 36
AXIS_ROOM = 36


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length in the chart's unit and the text written beside it."""

    label: str
    value: float
    caption: str = ""


def _n(value: float) -> str:
    """A coordinate as SVG text, to a tenth of a unit."""
    return f"{value:.1f}"


def _scale_max(bars: Sequence[Bar], maximum: float | None) -> float:
    """The value a full-length bar stands for: `maximum`, else the largest bar (at least 1)."""
    largest = max((bar.value for bar in bars), default=0.0)
    return float(maximum) if maximum else max(largest, 1.0)


def _frame(*, width: int, height: int, title: str, description: str, body: SafeString) -> str:
    chart_id = f"chart-{next(_ids)}"
    return format_html(
        '<svg class="chart" width="{w}" viewBox="0 0 {w} {h}" role="img"'
        ' preserveAspectRatio="xMinYMin meet"'
        ' aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        body=body,
    )


def horizontal_bar_chart(
    bars: Sequence[Bar], *, title: str, description: str, maximum: float | None = None
) -> SafeString:
    """One labelled horizontal bar per entry (e.g. score share per topic), longest = `maximum`.

    Values below 0 are drawn as 0; `maximum` defaults to the largest value. Returns SVG markup
    safe to put in a template; every text is escaped.
    """
    top = _scale_max(bars, maximum)
    rows = format_html_join(
        "",
        '<text class="chart-label" x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
        '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"></rect>'
        '<text class="chart-value" x="{vx}" y="{ty}">{caption}</text>',
        (
            {
                "lx": LABEL_WIDTH - 6,
                "ty": index * ROW_HEIGHT + 16,
                "label": bar.label if len(bar.label) <= 22 else bar.label[:21] + "…",
                "x": LABEL_WIDTH,
                "y": index * ROW_HEIGHT + 4,
                "w": _n(BAR_AREA_WIDTH * min(max(bar.value, 0.0), top) / top),
                "h": ROW_HEIGHT - 8,
                "vx": _n(LABEL_WIDTH + BAR_AREA_WIDTH * min(max(bar.value, 0.0), top) / top + 6),
                "caption": bar.caption or f"{bar.value:g}",
            }
            for index, bar in enumerate(bars)
        ),
    )
    return SafeString(
        _frame(
            width=LABEL_WIDTH + BAR_AREA_WIDTH + VALUE_WIDTH,
            height=max(len(bars), 1) * ROW_HEIGHT,
            title=title,
            description=description,
            body=rows,
        )
    )


def column_chart(
    bars: Sequence[Bar], *, title: str, description: str, maximum: float | None = None
) -> SafeString:
    """Vertical columns left to right (e.g. a score distribution's bins, or attempts in time
    order), each labelled below and captioned above; tallest = `maximum`.

    Values below 0 are drawn as 0; `maximum` defaults to the largest value. Returns SVG markup
    safe to put in a template; every text is escaped.
    """
    top = _scale_max(bars, maximum)
    columns = format_html_join(
        "",
        '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"></rect>'
        '<text class="chart-value" x="{cx}" y="{vy}" text-anchor="middle">{caption}</text>'
        '<text class="chart-label" x="{cx}" y="{ly}" text-anchor="middle">{label}</text>',
        (
            {
                "x": index * (COLUMN_WIDTH + 8) + 4,
                "y": _n(AXIS_ROOM / 2 + COLUMN_AREA_HEIGHT * (1 - height)),
                "w": COLUMN_WIDTH,
                "h": _n(COLUMN_AREA_HEIGHT * height),
                "cx": index * (COLUMN_WIDTH + 8) + 4 + COLUMN_WIDTH // 2,
                "vy": _n(AXIS_ROOM / 2 + COLUMN_AREA_HEIGHT * (1 - height) - 4),
                "caption": bar.caption or f"{bar.value:g}",
                "ly": AXIS_ROOM / 2 + COLUMN_AREA_HEIGHT + 14,
                "label": bar.label if len(bar.label) <= 8 else bar.label[:7] + "…",
            }
            for index, bar in enumerate(bars)
            for height in [min(max(bar.value, 0.0), top) / top]
        ),
    )
    width = max(len(bars), 1) * (COLUMN_WIDTH + 8) + 8
    axis = format_html(
        '<line class="chart-axis" x1="0" y1="{y}" x2="{w}" y2="{y}"></line>',
        y=_n(AXIS_ROOM / 2 + COLUMN_AREA_HEIGHT),
        w=width,
    )
    return SafeString(
        _frame(
            width=width,
            height=COLUMN_AREA_HEIGHT + AXIS_ROOM,
            title=title,
            description=description,
            body=SafeString(columns + axis),
        )
    )
