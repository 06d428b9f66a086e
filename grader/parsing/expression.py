"""A small, safe parser for arithmetic expressions (never uses eval).

Grammar (precedence from low to high)::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary | implicit-factor)*
    unary   := ('+' | '-') unary | power
    power   := root | atom (('^' | '**') unary)?
    root    := '√' (root | atom)
    atom    := NUMBER | NAME | NAME '(' expr ')' | '(' expr ')'

Implicit multiplication is allowed after a number or a closing bracket (``2pi``, ``2√x``,
``(a+1)(a-1)``) and between a variable or constant and a bracket or root (``x(x+1)``, ``x√y``).
Where an implicit product could be read two ways it is a format error that names both readings:
after a division (``1/2x``), after a bare exponent (``e^2x``) and after a root's operand
(``√2x``). A sign or an exponent right after a root's operand (``√-x``, ``√x^2``) is refused
the same way. Number answers read ``2e-1`` as 0.2; formulas, where ``e`` is also the constant
2.718…, refuse a number written with an e/E exponent (``2e-1``, ``2e-x``) the same way. The
result is a tree of :class:`Node` objects that can be evaluated with floats or turned into a
sympy expression.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from grader.errors import AnswerFormatError

MAX_EXPRESSION_LENGTH = 300
MAX_NESTING = 40

FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "ln": math.log,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "sech": lambda x: 1.0 / math.cosh(x),
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    "abs": abs,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "π": math.pi}

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_π][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/^()√])"
    r")"
)
_SYMBOL_SPELLINGS = {"×": "*", "·": "*", "⋅": "*", "÷": "/", "−": "-", "–": "-"}
ROOT = "√"
_EXPONENT_NOTATION = re.compile(
    r"(?P<mantissa>.*?)(?P<letter>[eE])(?P<sign>[+-]?)(?P<exponent>\d+)"
)


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: an operator, a function call, a number or a name."""

    op: str
    args: tuple[Node, ...] = ()
    value: float = 0.0
    name: str = ""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def normalise_symbols(text: str) -> str:
    """Replace typographic operators (×, ·, −, ÷…) by their ASCII spelling; `√` is kept.

    Decimal digits of every script (full-width ``０``, Arabic-Indic ``٠``…) become ASCII
    digits, so that they are read, grouped and counted as significant figures exactly like
    ``0``-``9``.
    """
    for symbol, ascii_spelling in _SYMBOL_SPELLINGS.items():
        text = text.replace(symbol, ascii_spelling)
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in text
    )


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    stripped_end = len(text.rstrip())
    while position < stripped_end:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            bad = text[position:stripped_end].lstrip()[:1]
            raise AnswerFormatError(
                f"the character '{bad}' cannot be used here; write numbers with digits, "
                "operators + - * / ^ √ and brackets"
            )
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind), match.start(kind), match.end(kind)))
        position = match.end()
    return tokens


def _split_into_names(name: str, known: frozenset[str]) -> list[str] | None:
    """``name`` as a run of known names (``xy`` → ``x``, ``y``), or None when it is not one."""
    longest = max(map(len, known), default=0)
    splits: list[list[str] | None] = [None] * len(name) + [[]]
    for start in range(len(name) - 1, -1, -1):
        for stop in range(min(len(name), start + longest), start, -1):
            rest = splits[stop]
            if rest is not None and name[start:stop] in known:
                splits[start] = [name[start:stop], *rest]
                break
    return splits[0]


class _Parser:
    """Recursive descent over the tokens; ambiguous implicit products are format errors."""

    def __init__(
        self,
        text: str,
        tokens: list[_Token],
        variables: frozenset[str],
        exponent_notation: bool,
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.variables = variables
        self.exponent_notation = exponent_notation
        self.position = 0
        self.depth = 0
        # Token spans of the last root (√ and its operand), the last power with an exponent
        # not in brackets, and the last bracket group: an implicit product starting where a
        # root or such a power ends could be read two ways.
        self.root_end = -1
        self.root_start = -1
        self.power_start = -1
        self.power_caret = -1
        self.power_end = -1
        self.last_group = (-1, -1)

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in ops

    def peek_text(self) -> str:
        token = self.peek()
        return "" if token is None else token.text

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def source(self, first: int, stop: int) -> str:
        """The text of tokens ``first`` up to (not including) ``stop``, as typed."""
        return self.text[self.tokens[first].start : self.tokens[stop - 1].end]

    def expect_close(self) -> None:
        if not self.at(")"):
            raise AnswerFormatError("a bracket '(' is not closed; check that brackets pair up")
        self.take()

    def parse(self) -> Node:
        if not self.tokens:
            raise AnswerFormatError("the answer is empty")
        node = self.expr()
        leftover = self.peek()
        if leftover is not None:
            raise AnswerFormatError(
                f"unexpected '{leftover.text}' after a complete expression; check for a missing "
                "operator or an extra bracket"
            )
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            operator = self.take().text
            node = Node("add" if operator == "+" else "sub", (node, self.term()))
        return node

    def term(self) -> Node:
        start = self.position
        node = self.unary()
        slash = -1
        while self.peek() is not None:
            if self.at("*", "/"):
                operator = self.take()
                slash = self.position - 1 if operator.text == "/" else -1
                node = Node("mul" if operator.text == "*" else "div", (node, self.unary()))
            elif self._implicit_product_follows():
                node = Node("mul", (node, self.implicit_factor(start, slash)))
            else:
                break
        return node

    def implicit_factor(self, term_start: int, slash: int) -> Node:
        """The factor of an implicit product (``2x``), refused where it could be read two ways."""
        before = self.position
        root_start, root_end = self.root_start, self.root_end
        power_start, caret, power_end = self.power_start, self.power_caret, self.power_end
        factor = self.power()
        written = self.source(before, self.position)
        if root_end == before:
            whole = self.source(root_start, before)
            operand = self.source(root_start + 1, before)
            readings = f"√({operand}{written}) or ({whole}){written}"
            raise _ambiguous(self.source(root_start, self.position), readings)
        if power_end == before:
            base, operator = self.source(power_start, caret), self.tokens[caret].text
            exponent = self.source(caret + 1, before)
            readings = (
                f"{base}{operator}({exponent}{written}) or ({base}{operator}{exponent}){written}"
            )
            raise _ambiguous(self.source(power_start, self.position), readings)
        if slash >= 0:
            dividend = self.source(term_start, slash)
            divisor = self.source(slash + 1, self.position)
            readings = f"{dividend}/({divisor}) or ({self.source(term_start, before)}){written}"
            raise _ambiguous(self.source(term_start, self.position), readings)
        return factor

    def _implicit_product_follows(self) -> bool:
        previous = self.tokens[self.position - 1]
        following = self.peek()
        if following is None:
            return False
        after_number = previous.kind == "number"
        after_bracket = previous.kind == "op" and previous.text == ")"
        after_value_name = previous.kind == "name" and previous.text not in FUNCTIONS
        opens = following.kind == "op" and following.text in ("(", ROOT)
        starts_factor = following.kind == "name" or opens
        return (
            (after_number or after_bracket)
            and starts_factor
            or (after_bracket and following.kind == "number")
            or (after_value_name and opens)
        )

    def unary(self) -> Node:
        if self.at("-", "+"):
            sign = self.take().text
            operand = self.nested(self.unary)
            return Node("neg", (operand,)) if sign == "-" else operand
        return self.power()

    def power(self) -> Node:
        if self.at(ROOT):
            return self.nested(self.root)
        start = self.position
        base = self.atom()
        if not self.at("^", "**"):
            return base
        caret = self.position
        self.take()
        exponent_start = self.position
        exponent = self.nested(self.unary)
        if self.last_group != (exponent_start, self.position):
            self.power_start, self.power_caret, self.power_end = start, caret, self.position
        return Node("pow", (base, exponent))

    def root(self) -> Node:
        """``√`` applies to the atom (or root) right after it: √x, √2, √(x+1), √sin(x), √√x."""
        start = self.position
        self.take()
        if self.at("+", "-"):
            sign = self.take().text
            operand_start = self.position
            self.root_operand()
            signed = self.source(operand_start, self.position)
            raise _ambiguous(f"√{sign}{signed}", f"√({sign}{signed}) or {sign}√{signed}")
        operand = self.root_operand()
        if self.at("^", "**"):
            whole, inner = self.source(start, self.position), self.source(start + 1, self.position)
            operator = self.peek_text()
            exponent = self._exponent_text()
            power = f"{operator}{exponent}"
            raise _ambiguous(f"{whole}{power}", f"√({inner}{power}) or ({whole}){power}")
        self.root_start, self.root_end = start, self.position
        return Node("call", (operand,), name="sqrt")

    def root_operand(self) -> Node:
        return self.nested(self.root) if self.at(ROOT) else self.atom()

    def _exponent_text(self) -> str:
        """The exponent written after the current ``^`` (for messages only)."""
        caret = self.position
        self.take()
        self.nested(self.unary)
        return self.source(caret + 1, self.position)

    def nested(self, rule: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise AnswerFormatError("the expression is nested too deeply; simplify it")
        try:
            return rule()
        finally:
            self.depth -= 1

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise AnswerFormatError("the expression ends too early; something is missing")
        self.take()
        if token.kind == "number":
            if not self.exponent_notation:
                self.refuse_exponent_notation(token)
            return Node("num", value=float(token.text))
        if token.kind == "name":
            return self.named(token.text)
        if token.text == "(":
            opening = self.position - 1
            inner = self.nested(self.expr)
            self.expect_close()
            self.last_group = (opening, self.position)
            return inner
        raise AnswerFormatError(f"unexpected '{token.text}'; check the operators and brackets")

    def refuse_exponent_notation(self, number: _Token) -> None:
        """Refuse ``number`` written with an e/E exponent (``2e-1``, ``2e3``) or followed at once
        by ``e`` and a sign (``2e-x``): the e may be the constant or a power of ten."""
        first = self.position - 1
        match = _EXPONENT_NOTATION.fullmatch(number.text)
        if match is not None:
            mantissa, letter, sign, exponent = match.group("mantissa", "letter", "sign", "exponent")
            raise self.exponent_notation_error(number.text, mantissa, letter, sign, exponent)
        following = self.tokens[self.position : self.position + 2]
        if len(following) < 2:
            return
        letter_token, sign_token = following
        if not (
            letter_token.kind == "name"
            and letter_token.text in ("e", "E")
            and letter_token.start == number.end
            and sign_token.text in ("+", "-")
            and sign_token.start == letter_token.end
        ):
            return
        self.position += 2
        exponent_start = self.position
        self.nested(self.power)
        exponent = self.source(exponent_start, self.position)
        raise self.exponent_notation_error(
            self.source(first, self.position),
            number.text,
            letter_token.text,
            sign_token.text,
            exponent,
        )

    def exponent_notation_error(
        self, written: str, mantissa: str, letter: str, sign: str, exponent: str
    ) -> AnswerFormatError:
        """The error naming both readings of ``written`` (``2e-1``: 2*e - 1 or 2*10^-1)."""
        power = f"{mantissa}*10^{'-' if sign == '-' else ''}{exponent}"
        if letter in self.variables:
            meaning = f"the variable {letter}"
        elif letter in CONSTANTS:
            meaning = f"the constant {letter}"
        else:
            return AnswerFormatError(
                f"'{written}' is not read as scientific notation in a formula: write {power} "
                "for a power of ten"
            )
        product = (
            f"{mantissa}*{letter} {sign} {exponent}" if sign else f"{mantissa}*{letter}*{exponent}"
        )
        return _ambiguous(written, f"{product} for {meaning}, or {power} for a power of ten")

    def named(self, name: str) -> Node:
        if name in FUNCTIONS:
            if not self.at("("):
                raise AnswerFormatError(f"write {name} with brackets, e.g. {name}(2)")
            self.take()
            argument = self.nested(self.expr)
            self.expect_close()
            return Node("call", (argument,), name=name)
        if name in self.variables:
            return Node("var", name=name)
        if name in CONSTANTS:
            return Node("const", value=CONSTANTS[name], name=name)
        raise AnswerFormatError(self.unknown_name_message(name))

    def unknown_name_message(self, name: str) -> str:
        """Says which names exist, and how to write a product or call the name may stand for."""
        allowed = sorted(self.variables) + sorted(set(CONSTANTS) - {"π"}) + sorted(FUNCTIONS)
        message = f"unknown name '{name}'; you can use {', '.join(allowed)}"
        values = self.variables | set(CONSTANTS)
        for function in sorted(FUNCTIONS, key=len, reverse=True):
            argument = name[len(function) :]
            if name.startswith(function) and _split_into_names(argument, values):
                return f"{message}. Write {function}({argument}) to apply {function}"
        factors = _split_into_names(name, values)
        if factors is not None and len(factors) > 1:
            return f"{message}. Write {'*'.join(factors)} for a product"
        return message


def _ambiguous(written: str, readings: str) -> AnswerFormatError:
    return AnswerFormatError(f"'{written}' is ambiguous: write {readings}")


def parse_expression(
    text: str, variables: frozenset[str] = frozenset(), *, exponent_notation: bool = True
) -> Node:
    """Parse ``text`` into an expression tree; raises AnswerFormatError with a reason.

    ``exponent_notation``: ``2e-1`` is 2×10^-1. Formula answers pass False, as ``e`` is also
    the constant there: a number written with an e/E exponent, or followed at once by ``e``
    and a sign (``2e-x``), is then a format error naming both readings.
    """
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise AnswerFormatError(
            f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters; simplify it"
        )
    normalised = normalise_symbols(text)
    tokens = _tokenize(normalised)
    return _Parser(normalised, tokens, variables, exponent_notation).parse()


_BINARY: dict[str, Callable[[float, float], float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": math.pow,
}


def evaluate(node: Node, values: Mapping[str, float] | None = None) -> float:
    """Evaluate an expression tree with floats; raises ArithmeticError/ValueError on bad maths."""
    if node.op in ("num", "const"):
        return node.value
    if node.op == "var":
        return float((values or {})[node.name])
    if node.op == "neg":
        return -evaluate(node.args[0], values)
    if node.op == "call":
        return FUNCTIONS[node.name](evaluate(node.args[0], values))
    left, right = (evaluate(arg, values) for arg in node.args)
    return _BINARY[node.op](left, right)


def evaluate_constant(node: Node) -> float:
    """Evaluate an expression without variables, turning maths failures into format errors."""
    try:
        result = evaluate(node)
    except ZeroDivisionError:
        raise AnswerFormatError("the expression divides by zero") from None
    except OverflowError:
        raise AnswerFormatError("the number is too large to work with") from None
    except ValueError:
        raise AnswerFormatError(
            "the expression cannot be evaluated (e.g. the square root or log of a negative number)"
        ) from None
    if not math.isfinite(result):
        raise AnswerFormatError("the answer must be a finite number, not NaN or infinity")
    return result
