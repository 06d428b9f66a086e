"""Template filters, sandboxed rendering and Markdown to safe HTML with LaTeX preserved."""

from __future__ import annotations

import pytest

from question_engine import BankError, render_markdown
from question_engine.render import (
    answer_text,
    format_number,
    format_significant,
    format_thousands,
    latex_bmatrix,
    render_template,
)


def test_number_filters():
    assert format_number(-0.001, 2) == "0.00"
    assert format_number(1.005, 1) == "1.0"
    assert format_significant(0.0000123456, 3) == r"1.23 \times 10^{-5}"
    assert format_significant(16.654, 3) == "16.7"
    assert format_thousands(16941456) == "16{,}941{,}456"


@pytest.mark.parametrize(
    ("value", "dp", "text"),
    [
        (1.625, 2, "1.63"),
        (-1.625, 2, "-1.63"),
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (2.5, 0, "3"),
        (-0.004, 2, "0.00"),
        (3, 2, "3.00"),
    ],
)
def test_worked_solutions_round_halves_away_from_zero_like_the_reference(value, dp, text):
    """The demo solution printed y = 1.625 as 1.62 and then said 'rounded to 1.63'."""
    assert format_number(value, dp) == text


@pytest.mark.parametrize(
    ("value", "figures", "text"),
    [(1.625, 3, "1.63"), (0.0001625, 3, "0.000163"), (-2.675, 3, "-2.68"), (99.95, 3, "100")],
)
def test_significant_figures_round_halves_away_from_zero(value, figures, text):
    assert format_significant(value, figures) == text


def test_bmatrix_for_vectors_and_matrices():
    assert latex_bmatrix([1.5, -2]) == r"\begin{bmatrix} 1.50 \\ -2.00 \end{bmatrix}"
    assert latex_bmatrix([[1, 2], [3, 4]], None) == (
        r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    )


def test_answer_text_matches_what_students_type():
    assert answer_text([[0.5, 1], [2, 3]], 2) == "[[0.50, 1.00], [2.00, 3.00]]"
    assert answer_text(0.125, 3) == "0.125"


def test_template_renders_with_filters():
    text = render_template(
        "$W = {{ W | bmatrix(1) }}$, {{ y | num(3) }}", {"W": [1, 2], "y": 2}, "t"
    )
    assert text == r"$W = \begin{bmatrix} 1.0 \\ 2.0 \end{bmatrix}$, 2.000"


def test_undefined_names_are_errors_naming_the_file():
    with pytest.raises(BankError, match="bank/x/statement.md: template failed to render"):
        render_template("{{ missing }}", {}, "bank/x/statement.md")


def test_templates_cannot_reach_python_internals():
    with pytest.raises(BankError, match="template failed to render"):
        render_template("{{ ''.__class__.__mro__[1].__subclasses__() }}", {}, "t")


def test_markdown_keeps_latex_untouched_and_escaped():
    html = render_markdown(r"Let $W_1 x_2 < 3$ and *y*." + "\n\n" + r"$$a_1 \\ b_2$$")
    assert "$W_1 x_2 &lt; 3$" in html
    assert "<em>y</em>" in html
    assert r"$$a_1 \\ b_2$$" in html


def test_markdown_escapes_raw_html_and_unsafe_links():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<b onclick="x()">hi</b> [a](javascript:x())'
    )
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    assert 'href="#"' in html


def test_markdown_renders_tables_and_code():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | $x_1$ |\n\n`a<b`")
    assert "<table>" in html and "<td>$x_1$</td>" in html
    assert "<code>a&lt;b</code>" in html


def test_text_injected_through_params_is_escaped():
    rendered = render_template("Name: {{ name }}", {"name": "<img src=x onerror=alert(1)>"}, "t")
    assert "<img" not in render_markdown(rendered)
