"""The marketing planner: response curves fitted per campaign, budget moved to the best return.

Its estimation and allocation load NumPy and SciPy; the other agents never do. Names load on
first use, so building a crew (which imports the budget review's graph) does not load them:
the first budget review does.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from shopcrew.agents.planner.agent import (
        Reactions,
        budget_request,
        explain,
        plan_budgets,
        react,
    )
    from shopcrew.agents.planner.allocate import (
        AllocationPlan,
        CampaignMove,
        PlannerSettings,
        allocate,
        plan_market,
    )
    from shopcrew.agents.planner.fit import CurvePosterior, FitSettings, MarketFit, fit_campaigns

_LAZY = {
    **dict.fromkeys(
        ("Reactions", "budget_request", "explain", "plan_budgets", "react"),
        "shopcrew.agents.planner.agent",
    ),
    **dict.fromkeys(
        ("AllocationPlan", "CampaignMove", "PlannerSettings", "allocate", "plan_market"),
        "shopcrew.agents.planner.allocate",
    ),
    **dict.fromkeys(
        ("CurvePosterior", "FitSettings", "MarketFit", "fit_campaigns"),
        "shopcrew.agents.planner.fit",
    ),
}

__all__ = [
    # the budget review
    "Reactions",
    "budget_request",
    "explain",
    "plan_budgets",
    "react",
    # allocation
    "AllocationPlan",
    "CampaignMove",
    "PlannerSettings",
    "allocate",
    "plan_market",
    # estimation
    "CurvePosterior",
    "FitSettings",
    "MarketFit",
    "fit_campaigns",
]


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'shopcrew.agents.planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
