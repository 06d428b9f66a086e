"""Server-drawn SVG charts: escaped text, bars proportional to their values, clamped."""

from __future__ import annotations

import re

from frontend.charts import (
    BAR_AREA_WIDTH,
    COLUMN_AREA_HEIGHT,
    Bar,
    column_chart,
    horizontal_bar_chart,
)


def _rect_sizes(svg: str, attribute: str) -> list[float]:
    return [
        float(v) for v in re.findall(rf'<rect class="chart-bar"[^>]* {attribute}="([\d.]+)"', svg)
    ]


def test_horizontal_bars_are_proportional_and_clamped_to_the_maximum():
    svg = horizontal_bar_chart(
        [Bar("half", 0.5), Bar("over", 1.5), Bar("negative", -1)],
        title="Score per topic",
        description="half 50%",
        maximum=1,
    )
    assert _rect_sizes(svg, "width") == [BAR_AREA_WIDTH / 2, BAR_AREA_WIDTH, 0.0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


def test_columns_scale_to_the_largest_value_without_a_maximum():
    svg = column_chart([Bar("0–10", 2), Bar("10–20", 4)], title="Scores", description="two bins")
    assert _rect_sizes(svg, "height") == [COLUMN_AREA_HEIGHT / 2, COLUMN_AREA_HEIGHT]


def test_text_is_escaped():
    svg = horizontal_bar_chart(
        [Bar("<script>x</script>", 1, caption="<b>")], title="<t>", description="&"
    )
    assert "<script>" not in svg and "<b>" not in svg and "<t>" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg
