"""The demand planner: forecasts per SKU × region and pre-positions stock before the peak.

Imports numpy, scipy and statsforecast; `shopcrew.agents` does not import this package, so
the other agents never load them.
"""

from shopcrew.agents.demand.distribution import Branch, CountDistribution, moment_matched
from shopcrew.agents.demand.forecast import MarketForecast, Scenario, SkuForecast, forecast_market
from shopcrew.agents.demand.optimise import Cell, Solution, round_down, solve
from shopcrew.agents.demand.plan import CellPlan, PrepositionPlan, optimise_plan
from shopcrew.agents.demand.planner import ApprovalNeed, DemandAnswer, SeriesForecast, plan_demand
from shopcrew.agents.demand.settings import DemandSettings
from shopcrew.agents.demand.trend import TrendCall

__all__ = [
    "ApprovalNeed",
    "Branch",
    "Cell",
    "CellPlan",
    "CountDistribution",
    "DemandAnswer",
    "DemandSettings",
    "MarketForecast",
    "PrepositionPlan",
    "Scenario",
    "SeriesForecast",
    "SkuForecast",
    "Solution",
    "TrendCall",
    "forecast_market",
    "moment_matched",
    "optimise_plan",
    "plan_demand",
    "round_down",
    "solve",
]
