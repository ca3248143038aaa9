"""Plan scores of `DEMAND_FORMAT.md`: exact expected cost, regret, cross-region share, approvals.

A cell's horizon demand is negative binomial with mean Σμ and variance φ·Σμ, so its expected
cost is exact by summing survival probabilities: E[min(q, D)] = Σ_{n<q} P(D > n), linear
between integers. Only non-home cells depend on the plan and enter the cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import nbinom, poisson

from shopcrew.evaluation.demand.truth import DemandTruth
from shopcrew.tools.records.demand import DemandMarket, cell_cost

__all__ = [
    "PlanScore",
    "expected_cost",
    "history_naive_plan",
    "realised_cost",
    "score_plan",
]

Plan = Mapping[tuple[str, str], float]
_NAIVE_DAYS = 28


def _expected_min(q: float, mean: float, phi: float) -> float:
    """E[min(q, D)] for D ~ NB(mean, variance φ·mean)."""
    if q <= 0 or mean <= 0:
        return 0.0
    whole = math.floor(q)
    n = np.arange(whole + 1)
    if phi <= 1.0 + 1e-9:
        survival = poisson.sf(n, mean)
    else:
        survival = nbinom.sf(n, mean / (phi - 1.0), 1.0 / phi)
    return float(np.sum(survival[:whole]) + (q - whole) * survival[whole])


def _total_cost(market: DemandMarket, truth: DemandTruth, plan: Plan, *, realised: bool) -> float:
    """Σ over forward cells of a·q + s·min(q, D) + u·(D − q)⁺ + o·(q − D)⁺.

    In expectation over the true distribution (E[min(q, D)] exact), or on the realised D.
    """
    total = 0.0
    for sku in market.skus:
        off = sku.id in truth.write_off
        for region in market.forward_regions:
            rates = cell_cost(market, sku, region, written_off=off)
            q = plan.get((sku.id, region.id), 0.0)
            if realised:
                mean = float(sum(truth.demand[sku.id][region.id]))
                sold = min(q, mean)
            else:
                mean = float(sum(truth.mu[sku.id][region.id]))
                sold = _expected_min(q, mean, truth.phi[sku.id][region.id])
            short, over = mean - sold, q - sold
            total += rates.placed * q + rates.local * sold + rates.short * short + rates.over * over
    return total


def expected_cost(market: DemandMarket, truth: DemandTruth, plan: Plan) -> float:
    """The plan's expected cost under the true horizon distributions."""
    return _total_cost(market, truth, plan, realised=False)


def realised_cost(market: DemandMarket, truth: DemandTruth, plan: Plan) -> float:
    """The plan's cost on the one realised horizon."""
    return _total_cost(market, truth, plan, realised=True)


def cross_region_share(market: DemandMarket, truth: DemandTruth, plan: Plan) -> float:
    """Realised demand not covered by stock in the buyer's region, over all realised demand."""
    uncovered = 0.0
    for sku in market.skus:
        for region in market.forward_regions:
            d = float(sum(truth.demand[sku.id][region.id]))
            uncovered += max(d - plan.get((sku.id, region.id), 0.0), 0.0)
    total = sum(sum(days) for by_region in truth.demand.values() for days in by_region.values())
    return uncovered / total if total > 0 else 0.0


def history_naive_plan(market: DemandMarket) -> dict[tuple[str, str], float]:
    """Each non-home cell's last 28 history days, scaled into each capacity, then the budget."""
    plan: dict[tuple[str, str], float] = {}
    for region in market.forward_regions:
        cells = {
            (sku.id, region.id): float(sum(market.history[sku.id][region.id][-_NAIVE_DAYS:]))
            for sku in market.skus
        }
        total = sum(cells.values())
        scale = min(1.0, region.capacity / total) if total > 0 else 0.0
        plan.update({key: units * scale for key, units in cells.items()})
    spend = sum(market.sku(sku_id).unit_cost * units for (sku_id, _), units in plan.items())
    scale = min(1.0, market.budget / spend) if spend > 0 else 1.0
    return {key: float(math.floor(units * scale)) for key, units in plan.items()}


@dataclass(frozen=True, slots=True)
class PlanScore:
    """One market's plan figures."""

    cost: float
    oracle_cost: float
    regret: float
    """(cost − oracle) / oracle, floored at 0."""
    realised_regret: float
    """The same on the realised horizon (can be negative)."""
    savings_captured: float
    """(cost(no stock) − cost) / (cost(no stock) − oracle)."""
    naive_regret: float
    cross_share: float
    naive_cross_share: float
    oracle_cross_share: float
    fad_write_off: float
    """Expected money written off on fads' leftovers."""
    capacity_violations: tuple[str, ...]
    budget_violation: str | None


def _fad_write_off(market: DemandMarket, truth: DemandTruth, plan: Plan) -> float:
    money = 0.0
    for sku_id in truth.fad:
        sku = market.sku(sku_id)
        for region in market.forward_regions:
            q = plan.get((sku_id, region.id), 0.0)
            mean = float(sum(truth.mu[sku_id][region.id]))
            leftover = q - _expected_min(q, mean, truth.phi[sku_id][region.id])
            money += leftover * (sku.unit_cost - sku.salvage_value)
    return money


def _violations(market: DemandMarket, plan: Plan) -> tuple[tuple[str, ...], str | None]:
    over: list[str] = []
    for region in market.forward_regions:
        used = sum(units for (_, r), units in plan.items() if r == region.id)
        if used > region.capacity + 1e-6 + 1e-9 * region.capacity:
            over.append(f"capacity of {region.id} ({used:.2f} > {region.capacity:g})")
    spend = sum(market.sku(s).unit_cost * units for (s, _), units in plan.items())
    budget = None
    if spend > market.budget + 0.01 + 1e-9 * market.budget:
        budget = f"budget ({spend:.2f} > {market.budget:.2f})"
    return tuple(over), budget


def score_plan(market: DemandMarket, truth: DemandTruth, plan: Plan) -> PlanScore:
    """Scores one market's plan against the oracle the truth states."""
    oracle_plan = {
        (sku_id, region_id): units
        for sku_id, by_region in truth.oracle.plan.items()
        for region_id, units in by_region.items()
    }
    oracle = truth.oracle.expected_cost
    cost = expected_cost(market, truth, plan)
    naive = history_naive_plan(market)
    empty = expected_cost(market, truth, {})
    oracle_realised = realised_cost(market, truth, oracle_plan)
    capacity, budget = _violations(market, plan)
    return PlanScore(
        cost=cost,
        oracle_cost=oracle,
        regret=max(0.0, (cost - oracle) / oracle) if oracle > 0 else 0.0,
        realised_regret=(realised_cost(market, truth, plan) - oracle_realised) / oracle_realised
        if oracle_realised > 0
        else 0.0,
        savings_captured=(empty - cost) / (empty - oracle) if empty > oracle else 1.0,
        naive_regret=max(0.0, (expected_cost(market, truth, naive) - oracle) / oracle)
        if oracle > 0
        else 0.0,
        cross_share=cross_region_share(market, truth, plan),
        naive_cross_share=cross_region_share(market, truth, naive),
        oracle_cross_share=cross_region_share(market, truth, oracle_plan),
        fad_write_off=_fad_write_off(market, truth, plan),
        capacity_violations=capacity,
        budget_violation=budget,
    )
