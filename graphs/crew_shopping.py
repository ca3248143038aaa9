"""The shopping guide in the crew (issue 20): pre-sale customer messages go to the guide.

A separate piece the crew opts into (`build_crew(..., shopping_guide=True)`): it adds the guide
as a node beside the CS agent and wraps the crew's router so that a customer message stating
a shopping wish (or refining the guide's last recommendation) goes to the guide, and every
other customer message to customer service as before, in the same conversation
(`shopcrew.agents.shopping.routing`). The guide marks its messages with the name
`shopping_guide`, which is how the router knows who spoke last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph import StateGraph

from shopcrew.agents.policy import Policy
from shopcrew.agents.shopping import GUIDE, CatalogIndex, route_conversation
from shopcrew.graphs.shopping import shopping_guide_builder
from shopcrew.tools.adapters import Adapters

__all__ = ["GUIDE", "add_shopping_guide"]

Router = Callable[[Any], str]


def add_shopping_guide(
    builder: StateGraph[Any, Any, Any, Any],
    *,
    route: Router,
    model: BaseChatModel,
    adapters: Adapters,
    merchant_id: str,
    policy: Policy | None = None,
) -> Router:
    """Add the guide's node to a crew builder; return the router that also leads to it.

    Args:
        builder: The crew's graph builder (its state has `messages` and `proposal`).
        route: The crew's router after `accept_event`; its `cs_agent` answers are refined.
        model: The chat model the guide runs with.
        adapters: The merchant's adapters (the catalog the guide searches).
        merchant_id: The merchant.
        policy: The merchant policy (its `currency` is how the guide writes amounts).
    """
    catalog = CatalogIndex.from_adapter(adapters.catalog)
    guide = shopping_guide_builder(
        model=model, adapters=adapters, merchant_id=merchant_id, policy=policy, catalog=catalog
    )
    builder.add_node(GUIDE, guide.compile())

    def route_with_guide(state: Mapping[str, Any]) -> str:
        """The crew's route, with pre-sale customer messages sent to the guide."""
        target = route(state)
        if target != "cs_agent":
            return target
        return route_conversation(state.get("messages", []), catalog=catalog)

    return route_with_guide
