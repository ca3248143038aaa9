"""Which agent a customer message is for: the shopping guide (pre-sale) or customer service.

A message with an order id or a strong after-sales word (return, refund, cancel, 退货, 转人工)
goes to customer service; one that states a shopping wish (products, a gift, a budget, the
cheapest) goes to the guide; a message that only refines a wish ("my budget is $300", "not
black", "cheaper?") stays with the guide when the guide spoke last; anything else goes where
the conversation already is, customer service by default. Cue words are language data
(`after_sales_strong`, `after_sales_weak` in `lang/*/cues.yaml`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.lexicon import detect_lang, lexicon
from shopcrew.agents.shopping.reading import Reading, read
from shopcrew.agents.shopping.text import normalise, phrases

__all__ = ["GUIDE", "Route", "last_route", "route_conversation", "route_message"]

logger = logging.getLogger(__name__)

Route = Literal["shopping_guide", "cs_agent"]
GUIDE: Final = "shopping_guide"
"""The route (and the `name` of the guide's messages) of the shopping guide."""


def _wish(reading: Reading) -> bool:
    return bool(reading.groups or reading.objective or (reading.shopping and reading.thing))


def _refines(reading: Reading) -> bool:
    return bool(
        reading.budget
        or reading.loose_require
        or reading.loose_exclude
        or reading.cheaper
        or reading.pricier
        or reading.other_color
        or reading.excluded_types
    )


def route_message(text: str, *, catalog: CatalogIndex, previous: Route | None = None) -> Route:
    """The agent a customer message is for.

    Args:
        text: The customer's message.
        catalog: The merchant's catalog (what a shopping wish can name).
        previous: The agent that answered the conversation last, if any.
    """
    lang = detect_lang(text)
    lex = lexicon(lang)
    norm = normalise(text)
    if phrases(lex.cue("after_sales_strong"), lang).search(norm):
        return "cs_agent"
    reading = read(text, catalog, lang=lang)
    if _wish(reading):
        return GUIDE
    if phrases(lex.cue("after_sales_weak"), lang).search(norm):
        return "cs_agent"
    if previous == GUIDE and _refines(reading):
        return GUIDE
    if reading.gift or (reading.budget is not None and previous is None):
        return GUIDE
    return previous or "cs_agent"


def last_route(messages: Sequence[BaseMessage]) -> Route | None:
    """Who answered last: the guide (its messages carry the name `shopping_guide`) or CS."""
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            return GUIDE if message.name == GUIDE else "cs_agent"
    return None


def route_conversation(messages: Sequence[BaseMessage], *, catalog: CatalogIndex) -> Route:
    """The agent for a conversation's latest customer message."""
    latest = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    if latest is None:
        return "cs_agent"
    earlier = messages[: messages.index(latest)] if latest in messages else messages
    route = route_message(latest.text, catalog=catalog, previous=last_route(earlier))
    logger.debug("customer message routed to %s", route)
    return route
