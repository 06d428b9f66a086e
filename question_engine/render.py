"""Rendering question templates (sandboxed Jinja2) and their Markdown (safe HTML, LaTeX kept)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import markdown
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from question_engine.errors import BankError

MATH_PATTERN = re.compile(r"\$\$.+?\$\$|(?<!\\)\$(?!\s)[^$\n]+?(?<![\s\\])\$", re.DOTALL)
MATH_TOKEN = "TGMATHSPAN{}X"
MATH_TOKEN_PATTERN = re.compile(r"TGMATHSPAN(\d+)X")
SAFE_URL = re.compile(r"^(https?:|mailto:|#|/(?!/)|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)


def _decimal(value: Any) -> Decimal:
    """The shortest decimal that reads back as float(value) (1.625, not 1.62499…)."""
    return Decimal(repr(float(value)))


def format_number(value: Any, dp: int = 2) -> str:
    """Fixed decimal places, halves rounded away from zero as examiners do, no '-0.00'.

    Python's own formatting rounds an exact tie to even (1.625 -> '1.62'), which would
    contradict the reference values, rounded half away from zero (1.63).
    """
    places = Decimal(1).scaleb(-int(dp))
    text = f"{_decimal(value).quantize(places, rounding=ROUND_HALF_UP):f}"
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def format_significant(value: Any, figures: int = 3) -> str:
    """`figures` significant figures (halves away from zero), plain notation for everyday
    magnitudes."""
    number = float(value)
    if number == 0 or not math.isfinite(number):
        return "0" if number == 0 else str(number)
    exact = _decimal(number)
    places = Decimal(1).scaleb(exact.adjusted() - int(figures) + 1)
    number = float(exact.quantize(places, rounding=ROUND_HALF_UP))
    text = f"{number:.{int(figures)}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def format_thousands(value: Any) -> str:
    """An integer with LaTeX-safe thousands separators (for use inside $...$)."""
    return f"{int(value):,}".replace(",", "{,}")


def _cell(value: Any, dp: int | None) -> str:
    if isinstance(value, str):
        return value
    if dp is None:
        return str(int(value)) if float(value) == int(value) else repr(float(value))
    return format_number(value, dp)


def latex_bmatrix(value: Any, dp: int | None = 2) -> str:
    """A matrix (nested lists) or a vector (a column) as a LaTeX bmatrix."""
    rows = value.tolist() if hasattr(value, "tolist") else value
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        return _cell(rows, dp)
    if not rows or not isinstance(rows[0], Sequence) or isinstance(rows[0], str):
        rows = [[item] for item in rows]
    body = r" \\ ".join(" & ".join(_cell(item, dp) for item in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def latex_row_vector(value: Any, dp: int | None = 2) -> str:
    """A vector as a one-row LaTeX bmatrix."""
    items = value.tolist() if hasattr(value, "tolist") else list(value)
    return latex_bmatrix([items], dp)


def latex_tuple(value: Any, dp: int | None = 2) -> str:
    """A vector as '(a, b, c)'."""
    items = value.tolist() if hasattr(value, "tolist") else list(value)
    return "(" + ", ".join(_cell(item, dp) for item in items) + ")"


def answer_text(value: Any, dp: int | None = 2) -> str:
    """A value written the way a student would type it: '[1.30, -4.70]' or '[[1, 2], [3, 4]]'."""
    if isinstance(value, list):
        return "[" + ", ".join(answer_text(item, dp) for item in value) + "]"
    return _cell(value, dp)


def make_environment() -> SandboxedEnvironment:
    """The Jinja2 environment templates render in: sandboxed, strict about undefined names."""
    environment = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    environment.filters.update(
        num=format_number,
        sig=format_significant,
        thousands=format_thousands,
        bmatrix=latex_bmatrix,
        rowvec=latex_row_vector,
        tuple=latex_tuple,
        answer=answer_text,
    )
    return environment


_ENVIRONMENT = make_environment()


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """The compiled template of `source` (compiling costs milliseconds; marking renders the
    same tests and entry templates for every submission)."""
    return _ENVIRONMENT.from_string(source)


def render_template(source: str, context: Mapping[str, Any], where: str) -> str:
    """Render one template; a failure becomes a BankError naming `where`."""
    try:
        return _compiled(source).render(**context)
    except TemplateError as exc:
        raise BankError(f"{where}: template failed to render: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, KeyError, IndexError) as exc:
        message = f"{type(exc).__name__}: {exc}"
        raise BankError(f"{where}: template failed to render: {message}") from None


class _SafeLinks(Treeprocessor):
    """Drops links and images whose URL scheme could run script (javascript:, data:, ...)."""

    def run(self, root: Any) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                url = element.get(attribute)
                if url is not None and not SAFE_URL.match(url.strip()):
                    element.set(attribute, "#")


class _NoRawHtml(Extension):
    """Treats raw HTML in the source as text (escaped) and neutralises unsafe link URLs."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


def render_markdown(md: str) -> str:
    """Safe HTML for Markdown with LaTeX: $...$ and $$...$$ spans are passed through untouched
    (HTML-escaped) for client-side KaTeX; raw HTML in the source is shown as text."""
    spans: list[str] = []

    def stash(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return MATH_TOKEN.format(len(spans) - 1)

    protected = MATH_PATTERN.sub(stash, md)
    converter = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", _NoRawHtml()], output_format="html"
    )
    rendered = converter.convert(protected)
    return MATH_TOKEN_PATTERN.sub(lambda m: html.escape(spans[int(m.group(1))], False), rendered)
