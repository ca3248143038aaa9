"""The shopping guide's tools: `recommend` (pydantic arguments, exact choice, rendered reply).

`recommend` carries, in its metadata, the rules policy that plays it (`rules_dialogue`): the
offline rules model, bound with this tool, understands wishes with the guide's reader and
calls the same tool an LLM calls.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from langchain_core.tools import BaseTool, StructuredTool

from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.recommend import Recommender
from shopcrew.agents.shopping.wish import RecommendArgs

__all__ = ["RECOMMEND_TOOL", "build_recommend_tool"]

logger = logging.getLogger(__name__)

RECOMMEND_TOOL: Final = "recommend"

_DESCRIPTION: Final = (
    "Recommend purchasable items for the shopper's wish and compute the exact total. Give "
    "what to buy as groups (catalog product names, or a gift's interest), the options they "
    "require or refuse in the catalog's option names and values, the budget (approximate when "
    "the shopper said 'around'/'左右'), and the objective ('cheapest', 'best_within_budget' or "
    "'any'). The tool searches only available variants, chooses optimally, and returns the "
    "items, the total and the reply to send; when nothing qualifies it says why and "
    "recommends nothing. Never state a price or total the tool did not return."
)


def build_recommend_tool(
    catalog: CatalogIndex, *, currency: str = "$", rules_dialogue: Any = None
) -> BaseTool:
    """The `recommend` tool over one catalog.

    Args:
        catalog: The merchant's catalog.
        currency: How amounts are written in replies.
        rules_dialogue: The rules policy that plays this tool (kept in the tool's metadata).
    """
    recommender = Recommender(catalog, currency=currency)

    def recommend(**kwargs: Any) -> str:
        args = RecommendArgs.model_validate(kwargs)
        result = recommender.recommend(args)
        logger.info(
            "recommend: %s, %d item(s), total %.2f", result.status, len(result.items), result.total
        )
        return result.model_dump_json(exclude_none=True)

    return StructuredTool.from_function(
        func=recommend,
        name=RECOMMEND_TOOL,
        description=_DESCRIPTION,
        args_schema=RecommendArgs,
        handle_validation_error=True,
        metadata={"rules_dialogue": rules_dialogue} if rules_dialogue is not None else None,
    )
