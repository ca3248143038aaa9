from __future__ import annotations

from types import ModuleType

import pytest

import shopcrew
import shopcrew.agents
import shopcrew.agents.shopping
import shopcrew.evaluation
import shopcrew.graphs
import shopcrew.mcp_server
import shopcrew.memory
import shopcrew.models
import shopcrew.tools
import shopcrew.tracing


@pytest.mark.parametrize(
    "package",
    [
        shopcrew,
        shopcrew.memory,
        shopcrew.tools,
        shopcrew.agents,
        shopcrew.agents.shopping,
        shopcrew.graphs,
        shopcrew.models,
        shopcrew.evaluation,
        shopcrew.mcp_server,
        shopcrew.tracing,
    ],
    ids=lambda p: p.__name__,
)
def test_all_lists_every_public_name(package: ModuleType) -> None:
    for name in package.__all__:  # loads lazily exported names
        getattr(package, name)
    names = vars(package).items()
    public = {n for n, v in names if not n.startswith("_") and not isinstance(v, ModuleType)}
    assert sorted(package.__all__) == sorted(public)
