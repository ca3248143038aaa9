"""The shopping guide as an agent: its settings, system prompt and tools.

`build_shopping_tools` gives the model `recommend` (which chooses and computes) and two
τ-bench catalog reads (`list_all_product_types`, `get_product_details`) to look around with.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.tools import BaseTool

from shopcrew.agents.money import currency_sign
from shopcrew.agents.policy import ShoppingSettings
from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.dialogue import shopping_dialogue
from shopcrew.agents.shopping.lexicon import interest_table
from shopcrew.agents.shopping.tool import build_recommend_tool
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.langchain.retail import build_retail_tools
from shopcrew.tools.tau.names import GET_PRODUCT_DETAILS, LIST_ALL_PRODUCT_TYPES

__all__ = ["CATALOG_READ_TOOLS", "build_shopping_tools", "shopping_system_prompt"]

CATALOG_READ_TOOLS = (LIST_ALL_PRODUCT_TYPES, GET_PRODUCT_DETAILS)
"""The τ-bench reads the guide may use besides `recommend`."""


_PROMPT = """You are the pre-sale shopping guide (导购) of merchant {merchant_id}'s shop. Turn the \
shopper's wish into items they can buy, with the `recommend` tool.

1. Reply in the shopper's language (Chinese or English), briefly.
2. If the shopper gives no budget and does not ask for the cheapest, ask one short question for \
the budget and nothing else. Otherwise do not ask: call `recommend` at once.
3. Call `recommend` with: one group per thing to buy (catalog product names below; quantity; \
`distinct` for "two different kinds of things"); for a gift, the recipient's interest \
(`interest`), what they already have (`exclude_types`) and `recipient` (male/female); required \
and refused option values in the catalog's words (use `get_product_details` to see them); the \
budget (`budget_approx` when they said around/about/左右/上下); the objective: `cheapest` for \
the lowest price, `best_within_budget` to use the budget as fully as possible, else `any`.
4. The tool's result carries the reply: items, prices and the total are computed there. Never \
write a price or total yourself. When it recommends nothing, tell the shopper why.
5. When the shopper changes one thing ("cheaper", "another colour", "换个颜色"), call \
`recommend` again with that change.

Product types: {types}.
Gift interests and the product types they add: {interests}."""


def shopping_system_prompt(
    *, merchant_id: str, catalog: CatalogIndex, settings: ShoppingSettings
) -> str:
    """The guide's system prompt: its rules, the catalog's product types, the gift interests."""
    table, _ = interest_table()
    interests = "; ".join(
        f"{name}: {', '.join(t for t in body.types if t in catalog.products)}"
        for name, body in table.items()
    )
    prompt = _PROMPT.format(
        merchant_id=merchant_id, types=", ".join(sorted(catalog.products)), interests=interests
    )
    extra = settings.extra_instructions
    return f"{prompt}\n\n{extra}" if extra else prompt


def build_shopping_tools(
    adapters: Adapters, *, catalog: CatalogIndex, currency: str = "USD"
) -> Sequence[BaseTool]:
    """`recommend` (playable by the rules model) and the two catalog reads.

    Args:
        adapters: The merchant's adapters.
        catalog: The catalog index the guide chooses from.
        currency: The shop's currency (ISO 4217 code), for amounts in replies.
    """
    recommend = build_recommend_tool(
        catalog, currency=currency_sign(currency), rules_dialogue=shopping_dialogue(catalog)
    )
    reads = [
        tool
        for tool in build_retail_tools(
            catalog=adapters.catalog, orders=adapters.orders, customers=adapters.customers
        )
        if tool.name in CATALOG_READ_TOOLS
    ]
    return [recommend, *reads]
