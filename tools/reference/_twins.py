"""Async twins of an in-memory backend's methods, written once.

The JSON store answers at once, so each `a<name>` only calls `<name>`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

__all__ = ["async_twin"]

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


def async_twin(
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """The coroutine method `a<name>` of a synchronous in-memory method `<name>`.

    Example: `aget_order = async_twin(get_order)` in the class body.
    """

    @functools.wraps(method)
    async def twin(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(self, *args, **kwargs)

    twin.__name__ = twin.__qualname__ = f"a{method.__name__}"
    twin.__doc__ = f"Async twin of `{method.__name__}` (the store answers in memory)."
    return twin
