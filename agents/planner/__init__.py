"""The marketing planner: response curves fitted per campaign, budget moved to the best return.

Importing it loads NumPy and SciPy; the other agents never do.
"""

from shopcrew.agents.planner.agent import Reactions, budget_request, explain, plan_budgets, react
from shopcrew.agents.planner.allocate import (
    AllocationPlan,
    CampaignMove,
    PlannerSettings,
    allocate,
    plan_market,
)
from shopcrew.agents.planner.fit import CurvePosterior, FitSettings, MarketFit, fit_campaigns

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
