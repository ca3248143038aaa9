"""The grader's own exact solver: every answer's possible totals, enumerated in integer cents.

Independent of the guide's integer program on purpose: each group's unit multisets are
enumerated (with `distinct` respected), their totals combined group by group, and the
feasible totals read off. Used to check a case's `feasible` and `optimum_total`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np

from shopcrew.evaluation.shopping.format import Constraints, Group

__all__ = ["CatalogItem", "Solution", "qualifies", "solve_case"]


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One variant as the grader sees it."""

    item_id: str
    product: str
    options: Mapping[str, str]
    available: bool
    cents: int


@dataclass(frozen=True, slots=True)
class Solution:
    """Whether any answer meets the constraints, and the lowest and highest such totals."""

    feasible: bool
    lowest_cents: int | None
    highest_cents: int | None


def qualifies(item: CatalogItem, group: Group) -> bool:
    """Whether one unit of `item` may fill `group` (type, require, exclude; availability aside)."""
    if item.product not in group.product_types:
        return False
    for option, values in group.require.items():
        if item.options.get(option) not in values:
            return False
    return not any(item.options.get(o) in values for o, values in group.exclude.items())


def _group_totals(items: Sequence[CatalogItem], group: Group, cap: int | None) -> np.ndarray:
    candidates = [i for i in items if i.available and qualifies(i, group)]
    low, high = group.bounds
    totals: set[int] = set()
    for count in range(low, high + 1):
        for combo in combinations_with_replacement(candidates, count):
            if group.distinct and len({c.product for c in combo}) != len(combo):
                continue
            total = sum(c.cents for c in combo)
            if cap is None or total <= cap:
                totals.add(total)
    return np.array(sorted(totals), dtype=np.int64)


def solve_case(items: Sequence[CatalogItem], constraints: Constraints) -> Solution:
    """Every total an answer can have, reduced to feasibility and the two extremes."""
    cap = round(constraints.budget.max * 100) if constraints.budget is not None else None
    floor = (
        round(constraints.budget.min * 100)
        if constraints.budget is not None and constraints.budget.min is not None
        else None
    )
    sums = np.array([0], dtype=np.int64)
    for group in constraints.groups:
        totals = _group_totals(items, group, cap)
        if totals.size == 0:
            return Solution(False, None, None)
        sums = np.unique(np.add.outer(sums, totals).ravel())
        if cap is not None:
            sums = sums[sums <= cap]
    if floor is not None:
        sums = sums[sums >= floor]
    if sums.size == 0:
        return Solution(False, None, None)
    return Solution(True, int(sums.min()), int(sums.max()))
