"""The exact pre-positioning optimum over given demand distributions.

Each cell (SKU × forward region) has a convex piecewise-linear expected cost in the units q
placed: its n-th unit changes the cost by the marginal g(n) = a + o − (u − s + o)·P(D ≥ n),
which rises with n. Cells are coupled by each region's capacity (Σ units) and the inventory
budget (Σ unit_cost × units). With fractional units this is a linear programme over unit
segments. Relaxing the budget with a price λ leaves one exact greedy per region (the cheapest
segments with g + λ·unit_cost < 0, up to the capacity); bisection finds the λ where the spend
crosses the budget and the two bracketing greedy plans are mixed to spend it exactly. The dual
bound certifies the result (`Solution.gap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Cell", "Solution", "round_down", "solve"]

FloatArray = NDArray[np.float64]

_BISECTIONS = 100


@dataclass(frozen=True)
class Cell:
    """One decision: units of a SKU in a forward region."""

    region: int
    """Index of the region (into the capacities)."""
    unit_cost: float
    """Budget used per unit."""
    marginal: FloatArray
    """Nondecreasing: the expected-cost change of the 1st, 2nd, ... unit placed."""


@dataclass(frozen=True)
class Solution:
    """An optimal plan and its certificate."""

    units: FloatArray
    """Units per cell (fractional where the budget splits a segment)."""
    cost_change: float
    """Σ marginal costs of the placed units (the plan's cost minus the empty plan's)."""
    budget_price: float
    """λ: the expected-cost saving of one more unit of budget."""
    gap: float
    """Primal minus the dual bound (≥ 0; 0 up to rounding for an optimum)."""


def _greedy(
    cells: Sequence[Cell], capacities: Sequence[float], price: float
) -> tuple[FloatArray, float, float]:
    """Units per cell, cost change and spend of the exact per-region greedy at budget price λ."""
    units = np.zeros(len(cells))
    cost = spend = 0.0
    for region, capacity in enumerate(capacities):
        members = [i for i, c in enumerate(cells) if c.region == region]
        if not members or capacity <= 0:
            continue
        values, owners = [], []
        for i in members:
            adjusted = cells[i].marginal + price * cells[i].unit_cost
            take = int(np.searchsorted(adjusted, 0.0, side="left"))
            values.append(adjusted[:take])
            owners.append(np.full(take, i))
        flat = np.concatenate(values)
        if flat.size == 0:
            continue
        who = np.concatenate(owners)
        order = np.argsort(flat, kind="stable")
        whole = int(min(np.floor(capacity), flat.size))
        counts = np.bincount(who[order[:whole]], minlength=len(cells)).astype(np.float64)
        if whole < flat.size and capacity > whole:
            counts[who[order[whole]]] += capacity - whole
        units += counts
    for i, cell in enumerate(cells):
        cost += _segment_cost(cell.marginal, units[i])
        spend += cell.unit_cost * units[i]
    return units, cost, spend


def _segment_cost(marginal: FloatArray, q: float) -> float:
    whole = int(np.floor(q))
    total = float(np.sum(marginal[:whole]))
    if q > whole and whole < marginal.size:
        total += (q - whole) * float(marginal[whole])
    return total


def _dual_bound(
    cells: Sequence[Cell], capacities: Sequence[float], budget: float, price: float
) -> float:
    _, cost, spend = _greedy(cells, capacities, price)
    return cost + price * (spend - budget)


def solve(cells: Sequence[Cell], *, capacities: Sequence[float], budget: float) -> Solution:
    """The plan minimising Σ cell costs under the capacities and the budget.

    Args:
        cells: The decisions; a cell's `marginal` must be nondecreasing.
        capacities: Units each region may hold.
        budget: The most Σ unit_cost × units may reach.
    """
    units, cost, spend = _greedy(cells, capacities, 0.0)
    if spend <= budget:
        return Solution(units, cost, 0.0, 0.0)
    low, high = (
        0.0,
        max(
            (
                float(-c.marginal[0] / c.unit_cost)
                for c in cells
                if c.unit_cost > 0 and c.marginal.size
            ),
            default=0.0,
        )
        * (1 + 1e-9)
        + 1e-12,
    )
    for _ in range(_BISECTIONS):
        middle = 0.5 * (low + high)
        if _greedy(cells, capacities, middle)[2] > budget:
            low = middle
        else:
            high = middle
    over, _, spend_over = _greedy(cells, capacities, low)
    under, _, spend_under = _greedy(cells, capacities, high)
    share = (
        1.0 if spend_over <= spend_under else (budget - spend_under) / (spend_over - spend_under)
    )
    share = float(np.clip(share, 0.0, 1.0))
    mixed = share * over + (1 - share) * under
    total = sum(_segment_cost(c.marginal, q) for c, q in zip(cells, mixed, strict=True))
    bound = max(_dual_bound(cells, capacities, budget, p) for p in (low, high))
    return Solution(mixed, total, high, max(total - bound, 0.0))


def round_down(
    cells: Sequence[Cell], solution: Solution, *, capacities: Sequence[float], budget: float
) -> FloatArray:
    """Whole units: the optimum floored, then the best whole units that still fit added back."""
    units = np.floor(solution.units + 1e-9)
    used = np.zeros(len(capacities))
    for cell, q in zip(cells, units, strict=True):
        used[cell.region] += q
    spend = float(sum(c.unit_cost * q for c, q in zip(cells, units, strict=True)))
    candidates = []
    for i, cell in enumerate(cells):
        n = int(units[i])
        if n < cell.marginal.size and cell.marginal[n] + solution.budget_price * cell.unit_cost < 0:
            candidates.append((float(cell.marginal[n]), i))
    for _, i in sorted(candidates):
        cell = cells[i]
        if used[cell.region] + 1 <= capacities[cell.region] and spend + cell.unit_cost <= budget:
            units[i] += 1
            used[cell.region] += 1
            spend += cell.unit_cost
    return units
