"""Choosing exactly: an integer program over the candidate variants (scipy's `milp`, HiGHS).

Variables are unit counts per (group, variant). Constraints: each group's quantity, pairwise
different product types where asked, the budget's bounds, all in integer cents. Objectives:
`cheapest` minimises the total, `best_within_budget` maximises it; otherwise the choice
prefers the product types most central to the wish and a total near 90% of the budget (inside
both a hard cap and an approximate window). The solution is re-checked in integers before it
is returned; the solver runs with a zero optimality gap, so optima are exact.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from shopcrew.agents.shopping.catalog import VariantInfo
from shopcrew.errors import ShoppingSolverError

if TYPE_CHECKING:
    import numpy as np

# NumPy and SciPy load on the first solve, not when the crew is built: a run that never
# recommends (the rules model's customer service) never pays their import.

__all__ = ["Choice", "Need", "Pick", "solve"]

logger = logging.getLogger(__name__)

Goal = Literal["any", "cheapest", "best_within_budget"]

_RANK_SCALE = 100
"""Rank sums stay below this, so they only break ties between equal totals."""
_TIER = 10**9
"""Above any distance to the target (cents), so ranks dominate in `any`."""


@dataclass(frozen=True, slots=True)
class Need:
    """One group to fill: its candidate variants and how many units."""

    candidates: tuple[VariantInfo, ...]
    low: int
    high: int
    distinct: bool = False
    ranks: Mapping[str, int] | None = None
    """Product type -> preference (0 = most central); missing types rank 0."""


@dataclass(frozen=True, slots=True)
class Pick:
    """Units of one variant."""

    variant: VariantInfo
    quantity: int


@dataclass(frozen=True, slots=True)
class Choice:
    """A solved choice and its exact total in cents."""

    picks: tuple[Pick, ...]
    total_cents: int


def _rank(need: Need, variant: VariantInfo) -> int:
    return (need.ranks or {}).get(variant.product, 0)


def _objective(
    prices: np.ndarray, ranks: np.ndarray, goal: Goal, target: int | None
) -> tuple[np.ndarray, bool]:
    """The cost vector, and whether a distance variable is appended."""
    import numpy as np

    if goal == "cheapest":
        return prices * _RANK_SCALE + ranks, False
    if goal == "best_within_budget":
        return -prices * _RANK_SCALE + ranks, False
    if target is None:
        return prices + ranks * _TIER, False
    return np.append(ranks * _TIER, 1.0), True


def _rows(
    needs: Sequence[Need], variables: Sequence[tuple[int, VariantInfo]], width: int
) -> tuple[list[np.ndarray], list[float], list[float]]:
    import numpy as np

    rows: list[np.ndarray] = []
    lows: list[float] = []
    highs: list[float] = []
    for index, need in enumerate(needs):
        row = np.zeros(width)
        for j, (group, _) in enumerate(variables):
            row[j] = 1.0 if group == index else 0.0
        rows.append(row)
        lows.append(need.low)
        highs.append(need.high)
        if need.distinct:
            for product in sorted({v.product for v in need.candidates}):
                row = np.zeros(width)
                for j, (group, variant) in enumerate(variables):
                    row[j] = 1.0 if group == index and variant.product == product else 0.0
                rows.append(row)
                lows.append(0)
                highs.append(1)
    return rows, lows, highs


def solve(
    needs: Sequence[Need],
    *,
    goal: Goal,
    max_cents: int | None,
    min_cents: int | None = None,
    target_cents: int | None = None,
) -> Choice | None:
    """The best choice for `goal` within the bounds, or None when no choice meets them.

    Raises:
        ShoppingSolverError: The solver stopped without an answer it could prove or check.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    variables = [(i, v) for i, need in enumerate(needs) for v in need.candidates]
    if not variables or any(need.low > need.high for need in needs):
        return None
    prices = np.array([v.cents for _, v in variables], dtype=float)
    ranks = np.array([_rank(needs[i], v) for i, v in variables], dtype=float)
    cost, with_distance = _objective(prices, ranks, goal, target_cents)
    width = len(cost)
    rows, lows, highs = _rows(needs, variables, width)
    spend = np.append(prices, 0.0) if with_distance else prices
    rows.append(spend)
    lows.append(float(min_cents or 0))
    highs.append(float(max_cents) if max_cents is not None else np.inf)
    if with_distance and target_cents is not None:
        over = np.append(prices, -1.0)  # total - d <= target
        under = np.append(prices, 1.0)  # total + d >= target
        rows.extend([over, under])
        lows.extend([-np.inf, float(target_cents)])
        highs.extend([float(target_cents), np.inf])
    upper = [float(needs[i].high) for i, _ in variables] + ([np.inf] if with_distance else [])
    integrality = np.array([1] * len(variables) + ([0] if with_distance else []))
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lows, highs),
        integrality=integrality,
        bounds=Bounds(np.zeros(width), np.array(upper)),
        options={"mip_rel_gap": 0.0, "time_limit": 20.0},
    )
    if result.status == 2:
        return None
    if result.status != 0 or result.x is None:
        raise ShoppingSolverError(f"status {result.status}: {result.message}")
    counts = [round(x) for x in result.x[: len(variables)]]
    choice = _checked(needs, variables, counts, max_cents, min_cents)
    logger.debug("solved %d variables for %s: total %d cents", width, goal, choice.total_cents)
    return choice


def _checked(
    needs: Sequence[Need],
    variables: Sequence[tuple[int, VariantInfo]],
    counts: Sequence[int],
    max_cents: int | None,
    min_cents: int | None,
) -> Choice:
    """Re-check the rounded solution in integers; merge units of the same variant."""
    per_group = [0] * len(needs)
    types: dict[int, list[str]] = {}
    merged: dict[str, Pick] = {}
    for (group, variant), count in zip(variables, counts, strict=True):
        if count <= 0:
            continue
        per_group[group] += count
        types.setdefault(group, []).extend([variant.product] * count)
        held = merged.get(variant.item_id)
        merged[variant.item_id] = Pick(variant, count + (held.quantity if held else 0))
    total = sum(p.variant.cents * p.quantity for p in merged.values())
    broken = (
        any(not need.low <= per_group[i] <= need.high for i, need in enumerate(needs))
        or any(
            need.distinct and len(set(types.get(i, []))) != len(types.get(i, []))
            for i, need in enumerate(needs)
        )
        or (max_cents is not None and total > max_cents)
        or (min_cents is not None and total < min_cents)
        or any(not p.variant.available for p in merged.values())
    )
    if broken:
        raise ShoppingSolverError("the rounded solution breaks a constraint")
    return Choice(tuple(merged.values()), total)
