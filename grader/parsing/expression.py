"""A small, safe parser for arithmetic expressions (never uses eval).

Grammar (precedence from low to high)::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary | implicit-factor)*
    unary   := ('+' | '-') unary | power
    power   := atom (('^' | '**') unary)?
    atom    := NUMBER | NAME | NAME '(' expr ')' | '(' expr ')'

Implicit multiplication is allowed after a number or a closing bracket (``2pi``, ``(a+1)(a-1)``).
The result is a tree of :class:`Node` objects that can be evaluated with floats or turned into
a sympy expression.
"""

from __future__ import annotations

import math
import re
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
    r"|(?P<op>\*\*|[-+*/^()])"
    r")"
)
_SYMBOL_SPELLINGS = {"×": "*", "·": "*", "⋅": "*", "÷": "/", "−": "-", "–": "-", "√": "sqrt"}


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: an operator, a function call, a number or a name."""

    op: str
    args: tuple[Node, ...] = ()
    value: float = 0.0
    name: str = ""


def normalise_symbols(text: str) -> str:
    """Replace typographic operators (×, ·, −, √…) by their ASCII spelling."""
    for symbol, ascii_spelling in _SYMBOL_SPELLINGS.items():
        text = text.replace(symbol, ascii_spelling)
    return text


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    stripped_end = len(text.rstrip())
    while position < stripped_end:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            bad = text[position:stripped_end].lstrip()[:1]
            raise AnswerFormatError(
                f"the character '{bad}' cannot be used here; write numbers with digits, "
                "operators + - * / ^ and brackets"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], variables: frozenset[str]) -> None:
        self.tokens = tokens
        self.variables = variables
        self.position = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect_close(self) -> None:
        token = self.peek()
        if token != ("op", ")"):
            raise AnswerFormatError("a bracket '(' is not closed; check that brackets pair up")
        self.take()

    def parse(self) -> Node:
        if not self.tokens:
            raise AnswerFormatError("the answer is empty")
        node = self.expr()
        leftover = self.peek()
        if leftover is not None:
            raise AnswerFormatError(
                f"unexpected '{leftover[1]}' after a complete expression; check for a missing "
                "operator or an extra bracket"
            )
        return node

    def expr(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token in (("op", "+"), ("op", "-")):
            self.take()
            node = Node("add" if token[1] == "+" else "sub", (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None:
            if token in (("op", "*"), ("op", "/")):
                self.take()
                node = Node("mul" if token[1] == "*" else "div", (node, self.unary()))
            elif self._implicit_product_follows():
                node = Node("mul", (node, self.power()))
            else:
                break
        return node

    def _implicit_product_follows(self) -> bool:
        previous = self.tokens[self.position - 1]
        following = self.peek()
        if following is None:
            return False
        after_number = previous[0] == "number"
        after_bracket = previous == ("op", ")")
        after_value_name = previous[0] == "name" and previous[1] not in FUNCTIONS
        starts_factor = following[0] == "name" or following == ("op", "(")
        return (
            (after_number or after_bracket)
            and starts_factor
            or (after_bracket and following[0] == "number")
            or (after_value_name and following == ("op", "("))
        )

    def unary(self) -> Node:
        token = self.peek()
        if token in (("op", "-"), ("op", "+")):
            self.take()
            operand = self.nested(self.unary)
            return Node("neg", (operand,)) if token == ("op", "-") else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.peek() in (("op", "^"), ("op", "**")):
            self.take()
            return Node("pow", (base, self.nested(self.unary)))
        return base

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
        kind, text = self.take()
        if kind == "number":
            return Node("num", value=float(text))
        if kind == "name":
            return self.named(text)
        if text == "(":
            inner = self.nested(self.expr)
            self.expect_close()
            return inner
        raise AnswerFormatError(f"unexpected '{text}'; check the operators and brackets")

    def named(self, name: str) -> Node:
        if name in FUNCTIONS:
            if self.peek() != ("op", "("):
                raise AnswerFormatError(f"write {name} with brackets, e.g. {name}(2)")
            self.take()
            argument = self.nested(self.expr)
            self.expect_close()
            return Node("call", (argument,), name=name)
        if name in self.variables:
            return Node("var", name=name)
        if name in CONSTANTS:
            return Node("const", value=CONSTANTS[name], name=name)
        allowed = sorted(self.variables) + sorted(set(CONSTANTS) - {"π"}) + sorted(FUNCTIONS)
        raise AnswerFormatError(f"unknown name '{name}'; you can use {', '.join(allowed)}")


def parse_expression(text: str, variables: frozenset[str] = frozenset()) -> Node:
    """Parse ``text`` into an expression tree; raises AnswerFormatError with a reason."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise AnswerFormatError(
            f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters; simplify it"
        )
    return _Parser(_tokenize(normalise_symbols(text)), variables).parse()


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
