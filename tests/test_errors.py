"""The error tree: every error class of the package is a `ShopcrewError`, drawn in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import shopcrew
import shopcrew.errors
from shopcrew.errors import ShopcrewError

_SKIP = {"shopcrew.langgraph_app"}
"""Modules that import optional extras (LangGraph's server)."""


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(shopcrew.__path__, "shopcrew."):
        if info.name in _SKIP or info.name.startswith("shopcrew.mcp"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith("shopcrew")
                and not name.startswith("_")
            ):
                found[name] = value
    return found


def test_every_error_of_the_package_is_in_the_tree_and_drawn() -> None:
    errors = _error_classes()
    assert len(errors) > 40
    outside = sorted(name for name, cls in errors.items() if not issubclass(cls, ShopcrewError))
    assert outside == []
    drawing = shopcrew.errors.__doc__ or ""
    undrawn = sorted(name for name in errors if name not in drawing)
    assert undrawn == []


def test_families_a_caller_can_catch() -> None:
    from shopcrew.errors import (
        ApprovalError,
        ConfigError,
        DataFileError,
        ScenarioError,
        StaleApprovalError,
        StoreFileError,
        TaskFileError,
        UnknownModelSpecError,
    )

    assert issubclass(ScenarioError, DataFileError) and issubclass(TaskFileError, DataFileError)
    assert issubclass(StoreFileError, DataFileError) and issubclass(StoreFileError, ValueError)
    assert issubclass(StaleApprovalError, ApprovalError)
    assert issubclass(UnknownModelSpecError, ConfigError)
