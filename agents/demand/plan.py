"""The pre-positioning plan: the exact optimum over the forecast distributions, and its figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopcrew.agents.demand.distribution import Branch, marginal_costs
from shopcrew.agents.demand.optimise import Cell, round_down, solve
from shopcrew.tools.records.demand import DemandMarket

__all__ = ["CellPlan", "PrepositionPlan", "optimise_plan"]

_LOW_QUANTILE = 0.1


@dataclass(frozen=True)
class CellPlan:
    """Units of one SKU placed in one forward region, with what they are expected to do."""

    sku: str
    region: str
    units: float
    expected_demand: float
    expected_short: float
    """E[(D − q)⁺]: demand served from the central warehouse."""
    expected_leftover: float
    """E[(q − D)⁺]."""
    leftover_cost: float
    """Expected money lost on leftovers (transfer back or write-off)."""
    low_case_loss: float
    """What the leftovers would cost if demand fell at its 10% quantile."""
    stock_out_probability: float
    """P(D > q): the chance the placed stock runs out before the horizon ends."""


@dataclass(frozen=True)
class PrepositionPlan:
    """The plan with its expected cost and risk."""

    cells: tuple[CellPlan, ...]
    expected_cost: float
    """Expected cost of the forward regions under the planner's own distributions."""
    empty_cost: float
    """The same with no forward stock."""
    expected_cross_share: float
    """Expected demand served across regions over all expected demand (home included)."""
    money_at_risk: float
    """Σ cells' low-case leftover loss."""
    stock_value: float
    """Σ unit_cost × units."""
    budget_price: float
    gap: float

    def units(self) -> dict[str, dict[str, float]]:
        """SKU → region → units, leaving out empty cells."""
        out: dict[str, dict[str, float]] = {}
        for cell in self.cells:
            if cell.units > 0:
                out.setdefault(cell.sku, {})[cell.region] = cell.units
        return out


def _expected_min(branches: Sequence[Branch], q: int) -> float:
    return sum(b.weight * float(np.sum(b.demand.survival(q))) for b in branches)


def _low_quantile(branches: Sequence[Branch]) -> float:
    top = max(b.demand.top() for b in branches)
    grid = np.arange(top + 1)
    cdf = sum(b.weight * (1.0 - b.demand.survival(top + 1)) for b in branches)
    return float(grid[np.searchsorted(np.asarray(cdf), _LOW_QUANTILE)])


def _cell_plan(sku: str, region: str, branches: Sequence[Branch], units: float) -> CellPlan:
    q = round(units)
    mean = sum(b.weight * b.demand.mean for b in branches)
    sold = _expected_min(branches, q)
    leftover_cost = 0.0
    for b in branches:
        sold_b = float(np.sum(b.demand.survival(q)))
        leftover_cost += b.weight * b.costs.over * (q - sold_b)
    worst_over = max(b.costs.over for b in branches)
    low = _low_quantile(branches)
    return CellPlan(
        sku=sku,
        region=region,
        units=float(q),
        expected_demand=mean,
        expected_short=mean - sold,
        expected_leftover=q - sold,
        leftover_cost=leftover_cost,
        low_case_loss=max(q - low, 0.0) * worst_over,
        stock_out_probability=sum(b.weight * float(b.demand.survival(q + 1)[q]) for b in branches),
    )


def optimise_plan(
    market: DemandMarket,
    branches: Mapping[tuple[str, str], Sequence[Branch]],
    *,
    home_demand: float,
    limits: Mapping[tuple[str, str], int] | None = None,
) -> PrepositionPlan:
    """The best whole-unit plan for the given per-cell scenarios.

    Args:
        market: Capacities, budget, unit costs.
        branches: (SKU, forward region) → the demand scenarios of that cell.
        home_demand: Expected horizon demand in the home region (for the cross-region share).
        limits: (SKU, region) → the most units the cell may get (e.g. what the central
            warehouse still holds, shared out).
    """
    regions = [r.id for r in market.forward_regions]
    keys = list(branches)
    cells = [
        Cell(
            region=regions.index(region),
            unit_cost=market.sku(sku).unit_cost,
            marginal=marginal_costs(
                branches[(sku, region)], limit=(limits or {}).get((sku, region))
            ),
        )
        for sku, region in keys
    ]
    capacities = [r.capacity for r in market.forward_regions]
    solution = solve(cells, capacities=capacities, budget=market.budget)
    units = round_down(cells, solution, capacities=capacities, budget=market.budget)
    planned = tuple(
        _cell_plan(sku, region, branches[(sku, region)], float(q))
        for (sku, region), q in zip(keys, units, strict=True)
    )
    empty = sum(b.weight * b.costs.short * b.demand.mean for key in keys for b in branches[key])
    change = sum(float(np.sum(c.marginal[: int(q)])) for c, q in zip(cells, units, strict=True))
    demand = sum(c.expected_demand for c in planned) + home_demand
    return PrepositionPlan(
        cells=planned,
        expected_cost=empty + change,
        empty_cost=empty,
        expected_cross_share=sum(c.expected_short for c in planned) / demand if demand else 0.0,
        money_at_risk=sum(c.low_case_loss for c in planned),
        stock_value=sum(market.sku(c.sku).unit_cost * c.units for c in planned),
        budget_price=solution.budget_price,
        gap=solution.gap,
    )
