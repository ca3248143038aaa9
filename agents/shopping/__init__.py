"""The shopping guide (导购): from a shopper's wish to items they can buy, with checked totals."""

from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.dialogue import Wish, fold, shopping_dialogue
from shopcrew.agents.shopping.guide import (
    CATALOG_READ_TOOLS,
    build_shopping_tools,
    shopping_system_prompt,
)
from shopcrew.agents.shopping.lexicon import Lang, detect_lang
from shopcrew.agents.shopping.reading import Reading, read
from shopcrew.agents.shopping.recommend import Recommender
from shopcrew.agents.shopping.routing import GUIDE, Route, route_conversation, route_message
from shopcrew.agents.shopping.tool import RECOMMEND_TOOL, build_recommend_tool
from shopcrew.agents.shopping.wish import (
    ChosenItem,
    Objective,
    RecommendArgs,
    RecommendResult,
    WishGroup,
)

__all__ = [
    "CATALOG_READ_TOOLS",
    "GUIDE",
    "RECOMMEND_TOOL",
    "CatalogIndex",
    "ChosenItem",
    "Lang",
    "Objective",
    "Reading",
    "RecommendArgs",
    "RecommendResult",
    "Recommender",
    "Route",
    "Wish",
    "WishGroup",
    "build_recommend_tool",
    "build_shopping_tools",
    "detect_lang",
    "fold",
    "read",
    "route_conversation",
    "route_message",
    "shopping_dialogue",
    "shopping_system_prompt",
]
