"""Symbolic equivalence of two parsed expressions with sympy, under a wall-clock limit."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from grader.parsing.expression import Node

SYMBOLIC_TIMEOUT_SECONDS = 1.0


class _SymbolicTimeout(BaseException):
    """Raised inside sympy by the alarm; a BaseException so sympy's own handlers let it pass."""


def to_sympy(node: Node, symbols: Mapping[str, Any]) -> Any:
    """The sympy expression of a parsed tree; numbers become exact rationals."""
    import sympy

    functions: dict[str, Callable[[Any], Any]] = {
        "sqrt": sympy.sqrt,
        "exp": sympy.exp,
        "ln": sympy.log,
        "log": sympy.log,
        "log10": lambda x: sympy.log(x, 10),
        "log2": lambda x: sympy.log(x, 2),
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tan": sympy.tan,
        "tanh": sympy.tanh,
        "sinh": sympy.sinh,
        "cosh": sympy.cosh,
        "sech": sympy.sech,
        "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
        "abs": sympy.Abs,
    }
    if node.op == "num":
        return sympy.Rational(repr(node.value))
    if node.op == "const":
        return sympy.pi if node.name in ("pi", "π") else sympy.E
    if node.op == "var":
        return symbols[node.name]
    args = [to_sympy(arg, symbols) for arg in node.args]
    if node.op == "neg":
        return -args[0]
    if node.op == "call":
        return functions[node.name](args[0])
    left, right = args
    return {
        "add": lambda: left + right,
        "sub": lambda: left - right,
        "mul": lambda: left * right,
        "div": lambda: left / right,
        "pow": lambda: left**right,
    }[node.op]()


def _alarm_available() -> bool:
    main_thread = threading.current_thread() is threading.main_thread()
    return main_thread and signal.getitimer(signal.ITIMER_REAL)[0] == 0


def proves_equal(
    first: Node,
    second: Node,
    variables: Mapping[str, bool],
    timeout: float = SYMBOLIC_TIMEOUT_SECONDS,
) -> bool:
    """True when sympy shows ``first - second`` simplifies to 0 within ``timeout`` seconds.

    ``variables`` maps each name to whether it is known to be positive. False means "not
    proven" (sympy may fail to simplify), never "different". Outside the main thread, or when
    another alarm is pending, no limit can be enforced, so nothing is attempted.
    """
    if not _alarm_available():
        return False
    import sympy

    symbols = {
        name: sympy.Symbol(name, positive=True) if positive else sympy.Symbol(name, real=True)
        for name, positive in variables.items()
    }

    armed = False

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        # Python runs this handler between bytecodes, possibly after the timer was disarmed
        # (the signal arrived just before): only raise while the protected region is running.
        if armed:
            raise _SymbolicTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        try:
            armed = True
            signal.setitimer(signal.ITIMER_REAL, timeout)
            difference = to_sympy(first, symbols) - to_sympy(second, symbols)
            return bool(sympy.simplify(difference) == 0)
        finally:
            armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _SymbolicTimeout:
        return False
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        # RecursionError: trigsimp expands cos(2^1000*k) one double angle at a time.
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
