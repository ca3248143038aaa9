"""τ-bench's `calculate` tool: arithmetic on `0-9 + - * / ( ) .` and spaces, without `eval`.

The expression is parsed with `ast` and walked with Python's own operators, so results and
error texts are what τ-bench's `eval` gives; only integer powers so large that they could
never become a float are refused early instead of hanging the process.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any, Final

__all__ = ["ALLOWED_CHARACTERS", "calculate"]

ALLOWED_CHARACTERS: Final = frozenset("0123456789+-*/(). ")

_BINARY: Final[dict[type[ast.operator], Callable[[Any, Any], Any]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}
_UNARY: Final[dict[type[ast.unaryop], Callable[[Any], Any]]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_MAX_POWER_BITS: Final = 1 << 20
"""An integer power beyond this many bits cannot turn into a float; refuse it up front."""


def calculate(expression: str) -> str:
    """Evaluate `expression` and return `round(float(value), 2)` as a string.

    Returns:
        The number (`"4.0"`, `"-17.99"`), or `"Error: ..."` for invalid characters and for
        any evaluation error (`"Error: division by zero"`).
    """
    if any(char not in ALLOWED_CHARACTERS for char in expression):
        return "Error: invalid characters in expression"
    try:
        # eval() strips leading spaces and tabs of a source string; ast.parse does not.
        tree = ast.parse(expression.lstrip(" \t"), filename="<string>", mode="eval")
        return str(round(float(_evaluate(tree.body)), 2))
    except (
        ArithmeticError,
        SyntaxError,
        TypeError,
        ValueError,
        MemoryError,
        RecursionError,
    ) as exc:
        return f"Error: {exc}"


def _evaluate(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Tuple):
        return tuple(_evaluate(element) for element in node.elts)
    if isinstance(node, ast.Call):
        called = _evaluate(node.func)
        for argument in node.args:
            _evaluate(argument)
        raise TypeError(f"'{type(called).__name__}' object is not callable")
    # The character check leaves no other syntax; keep the walk total anyway.
    raise ValueError(f"unsupported expression {ast.dump(node)}")


def _check_power(base: Any, exponent: Any) -> None:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and exponent * abs(base).bit_length() > _MAX_POWER_BITS
    ):
        raise OverflowError("int too large to convert to float")
