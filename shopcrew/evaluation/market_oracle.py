"""The grader's oracle for ad markets: the true optimum, the constraints, and a market's score.

Following `MARKET_FORMAT.md`: the optimum on the true curves comes from bisection on the common
marginal ROAS for the budget (a second one when the ROAS floor binds); regret is the GMV lost
against it, and each broken constraint counts one violation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from shopcrew.tools.records.markets import Market, ResponseCurve

__all__ = [
    "MarketScore",
    "OptimalAllocation",
    "constraint_violations",
    "optimal_allocation",
    "score_market",
    "uniform_allocation",
]

_ROAS_TOLERANCE = 0.95
_BOUND_TOLERANCE = 0.005


@dataclass(frozen=True, slots=True)
class OptimalAllocation:
    """The best allocation on given curves under the market's constraints."""

    allocation: dict[str, float]
    gmv: float
    marginal_roas: float
    """The common marginal ROAS of the campaigns strictly inside their bounds."""


@dataclass(frozen=True, slots=True)
class MarketScore:
    """One market's grade."""

    market_id: str
    regret: float
    """1 − GMV(answer) / GMV(oracle), floored at 0; 1.0 for a missing or malformed answer."""
    gmv: float
    oracle_gmv: float
    uplift_uniform: float
    """GMV(answer) / GMV(uniform split) − 1."""
    uplift_current: float
    """GMV(answer) / GMV(current allocation) − 1."""
    violations: tuple[str, ...]
    """One entry per broken constraint, naming it."""
    tags: tuple[str, ...]


def _gmv(a: NDArray[np.float64], k: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(np.sum(a * -np.expm1(-b / k)))


def optimal_allocation(market: Market, curves: Mapping[str, ResponseCurve]) -> OptimalAllocation:
    """The exact optimum of Σ GMV_i(b_i) under bounds, total budget and the ROAS floor.

    Args:
        market: Bounds, total budget and floor come from here.
        curves: One curve per campaign id (the truth, or fitted curves).
    """
    ids = [c.id for c in market.campaigns]
    a = np.array([curves[i].a for i in ids])
    k = np.array([curves[i].k for i in ids])
    lo = np.array([c.min_budget for c in market.campaigns])
    hi = np.array([math.inf if c.max_budget is None else c.max_budget for c in market.campaigns])

    def spend_at(theta: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            free = k * np.log(a / (k * theta))
        return np.asarray(np.clip(free, lo, hi), dtype=np.float64)

    top = float(np.max(a / k)) * 1.000001
    if np.all(np.isfinite(hi)) and hi.sum() <= market.total_budget:
        theta = 0.0
        budgets = hi
    else:
        low = top
        while spend_at(low).sum() <= market.total_budget:
            low /= 2.0
        theta = math.exp(
            brentq(
                lambda t: spend_at(math.exp(t)).sum() - market.total_budget,
                math.log(low),
                math.log(top),
                xtol=1e-13,
            )
        )
        budgets = spend_at(theta)
    if market.min_roas is not None and budgets.sum() > 0:
        floor = market.min_roas

        def roas_gap(log_theta: float) -> float:
            b = spend_at(math.exp(log_theta))
            return _gmv(a, k, b) - floor * float(b.sum())

        if roas_gap(math.log(max(theta, 1e-300))) < 0:
            if roas_gap(math.log(top)) >= 0:
                log_theta = brentq(roas_gap, math.log(max(theta, 1e-12)), math.log(top), xtol=1e-13)
                theta = math.exp(log_theta)
            else:
                theta = top
            budgets = spend_at(theta)
    return OptimalAllocation(
        allocation=dict(zip(ids, budgets.tolist(), strict=True)),
        gmv=_gmv(a, k, budgets),
        marginal_roas=theta,
    )


def uniform_allocation(market: Market) -> dict[str, float]:
    """The total budget split equally, clipped to the bounds (the ROAS floor is ignored).

    What clipping frees or takes is shared equally by the others: every campaign gets
    clip(L, min, max) with the level L at which the total is spent.
    """
    lo = [c.min_budget for c in market.campaigns]
    hi = [math.inf if c.max_budget is None else c.max_budget for c in market.campaigns]

    def spent(level: float) -> float:
        return sum(min(max(level, low), high) for low, high in zip(lo, hi, strict=True))

    if spent(0.0) >= market.total_budget:
        level = 0.0
    elif spent(market.total_budget) <= market.total_budget:
        level = market.total_budget
    else:
        level = brentq(lambda x: spent(x) - market.total_budget, 0.0, market.total_budget)
    return {
        c.id: min(max(level, low), high)
        for c, low, high in zip(market.campaigns, lo, hi, strict=True)
    }


def _true_gmv(curves: Mapping[str, ResponseCurve], allocation: Mapping[str, float]) -> float:
    return sum(curves[i].a * -math.expm1(-b / curves[i].k) for i, b in allocation.items())


def _as_budgets(market: Market, allocation: Mapping[str, object]) -> dict[str, float] | None:
    ids = {c.id for c in market.campaigns}
    if set(allocation) != ids:
        return None
    budgets: dict[str, float] = {}
    for cid, value in allocation.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not math.isfinite(value) or value < 0:
            return None
        budgets[cid] = float(value)
    return budgets


def constraint_violations(
    market: Market, curves: Mapping[str, ResponseCurve], budgets: Mapping[str, float]
) -> tuple[str, ...]:
    """Constraints 2-4 of MARKET_FORMAT.md that `budgets` breaks, one entry each."""
    broken: list[str] = []
    out_of_bounds = [
        c.id
        for c in market.campaigns
        if budgets[c.id] < c.min_budget - _BOUND_TOLERANCE
        or (c.max_budget is not None and budgets[c.id] > c.max_budget + _BOUND_TOLERANCE)
    ]
    if out_of_bounds:
        broken.append(f"bounds ({', '.join(out_of_bounds)})")
    spent = sum(budgets.values())
    if spent > market.total_budget + 0.01 + 1e-6 * market.total_budget:
        broken.append(f"total budget ({spent:.2f} > {market.total_budget:.2f})")
    if market.min_roas is not None and spent > 0:
        roas = _true_gmv(curves, budgets) / spent
        if roas < market.min_roas * _ROAS_TOLERANCE:
            broken.append(f"ROAS floor ({roas:.3f} < 0.95 × {market.min_roas})")
    return tuple(broken)


def score_market(market: Market, allocation: Mapping[str, object] | None) -> MarketScore:
    """Grades one answer against the market's truth.

    Raises:
        ValueError: the market carries no truth.
    """
    if market.truth is None:
        raise ValueError(f"market {market.id!r} has no truth to grade against")
    curves = market.truth.curves
    oracle = optimal_allocation(market, curves)
    budgets = None if allocation is None else _as_budgets(market, allocation)
    uniform_gmv = _true_gmv(curves, uniform_allocation(market))
    current_gmv = _true_gmv(curves, market.current_allocation)
    violations: tuple[str, ...]
    if budgets is None:
        gmv, regret, violations = 0.0, 1.0, ("malformed or missing allocation",)
    else:
        gmv = _true_gmv(curves, budgets)
        regret = max(0.0, 1.0 - gmv / oracle.gmv) if oracle.gmv > 0 else 0.0
        violations = constraint_violations(market, curves, budgets)
    return MarketScore(
        market_id=market.id,
        regret=regret,
        gmv=gmv,
        oracle_gmv=oracle.gmv,
        uplift_uniform=gmv / uniform_gmv - 1.0 if uniform_gmv > 0 else 0.0,
        uplift_current=gmv / current_gmv - 1.0 if current_gmv > 0 else 0.0,
        violations=violations,
        tags=market.truth.tags,
    )
