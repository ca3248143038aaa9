"""`shopcrew eval markets`: runs the marketing planner on ad markets and grades its answers.

Grading follows `MARKET_FORMAT.md`: the oracle is the exact optimum on the true curves
(bisection on the common marginal ROAS for the budget, a second one when the ROAS floor
binds), regret is the GMV lost against it, and each broken constraint counts one violation.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from shopcrew.agents.planner.allocate import plan_market
from shopcrew.evaluation.harness import (
    CaseResult,
    TrialsResult,
    run_trials_sync,
    trial_notes,
    trials_agree,
)
from shopcrew.tools.records.markets import Market, ResponseCurve, iter_markets

__all__ = [
    "DEFAULT_PASS_REGRET",
    "MarketScore",
    "MarketsReport",
    "OptimalAllocation",
    "constraint_violations",
    "grade_markets",
    "optimal_allocation",
    "run_markets_eval",
    "score_market",
    "uniform_allocation",
]

logger = logging.getLogger(__name__)

Planner = Callable[[Market], Mapping[str, float]]
"""Anything that answers a market with a daily budget per campaign id."""

DEFAULT_PASS_REGRET: Final = 0.05
"""A market passes at most this regret (and no violation): a good planner's p90 is ~6%."""
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


@dataclass(frozen=True, slots=True)
class MarketsReport:
    """The grade of a whole market file."""

    scores: tuple[MarketScore, ...]
    mean_regret: float
    p90_regret: float
    uplift_uniform: float
    uplift_current: float
    violations: int
    regret_by_tag: dict[str, float]
    """Mean regret per tag kind (`saturated:c05` counts under `saturated`)."""
    run: TrialsResult | None = None
    """Every trial of every market, when run through the harness."""
    pass_regret: float = DEFAULT_PASS_REGRET
    """The largest regret of a market that passes (pass^k counts those)."""

    def lines(self) -> list[str]:
        """The printed figures; the last line is the one MARKET_FORMAT.md fixes."""
        out = [f"  {tag}: mean regret={value:.1%}" for tag, value in self.regret_by_tag.items()]
        out.extend(
            f"  {s.market_id}: {'; '.join(s.violations)}" for s in self.scores if s.violations
        )
        out.append(f"uplift vs current={self.uplift_current:.1%}")
        if self.run is not None:
            out.extend(trial_notes(self.run, agree_key="allocation"))
        out.append(
            f"markets: mean regret={self.mean_regret:.1%}, p90 regret={self.p90_regret:.1%}, "
            f"uplift vs uniform={self.uplift_uniform:.1%}, violations={self.violations}"
        )
        return out

    def figures(self) -> dict[str, object]:
        """Headline figures for the result file (MARKET_FORMAT.md's, plus the pass count)."""
        figures: dict[str, object] = {
            "graded": len(self.scores),
            "mean_regret": self.mean_regret,
            "p90_regret": self.p90_regret,
            "uplift_uniform": self.uplift_uniform,
            "uplift_current": self.uplift_current,
            "violations": self.violations,
            "regret_by_tag": dict(self.regret_by_tag),
            "pass_regret": self.pass_regret,
            "passed": sum(not s.violations and s.regret <= self.pass_regret for s in self.scores),
        }
        if self.run is not None:
            figures["trials_agree"] = trials_agree(self.run, "allocation")
        return figures


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


def _nearest_rank(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def grade_markets(scores: Sequence[MarketScore]) -> MarketsReport:
    """Aggregates per-market grades into the figures MARKET_FORMAT.md lists."""
    if not scores:
        return MarketsReport((), 0.0, 0.0, 0.0, 0.0, 0, {})
    regrets = [s.regret for s in scores]
    by_tag: dict[str, list[float]] = {}
    for s in scores:
        for kind in sorted({tag.split(":", 1)[0] for tag in s.tags}):
            by_tag.setdefault(kind, []).append(s.regret)
    return MarketsReport(
        scores=tuple(scores),
        mean_regret=float(np.mean(regrets)),
        p90_regret=_nearest_rank(regrets, 0.9),
        uplift_uniform=float(np.mean([s.uplift_uniform for s in scores])),
        uplift_current=float(np.mean([s.uplift_current for s in scores])),
        violations=sum(len(s.violations) for s in scores),
        regret_by_tag={tag: float(np.mean(v)) for tag, v in sorted(by_tag.items())},
    )


def _default_planner(market: Market) -> Mapping[str, float]:
    return plan_market(market).budgets


def run_markets_eval(
    markets_path: str | Path,
    out_path: str | Path,
    *,
    planner: Planner | None = None,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    pass_regret: float = DEFAULT_PASS_REGRET,
    on_result: Callable[[CaseResult], None] | None = None,
) -> MarketsReport:
    """Plans every market of a file, writes the answers and grades those that carry truth.

    Each market is one case of the harness. It passes when its answer breaks no constraint
    and its regret is at most `pass_regret` (a market without truth passes when answered).
    The default planner is deterministic, so its trials agree; the file and the grade are
    trial 0's. A market whose planner fails or runs past the time limit gets no line and
    scores as a missing answer (regret 1).

    Args:
        markets_path: A JSONL market file (MARKET_FORMAT.md).
        out_path: Where to write one `{"id", "allocation"}` line per market.
        planner: Answers a market; the marketing planner by default. It never sees the
            truth: the grader strips it before asking.
        trials: Trials per market.
        seed: The run's seed (the default planner uses none).
        concurrency: Markets planned at once (threads).
        time_limit_s: Per market and trial; None for no limit.
        pass_regret: The largest regret of a passing market.
        on_result: Called with each result as it finishes (progress).

    Returns:
        The grade over the markets that carry `truth` (empty when none does).

    Raises:
        MarketFileError: the market file is malformed.
    """
    answer = planner or _default_planner
    markets: dict[str, Market] = {}
    for market in iter_markets(markets_path):
        key, n = market.id, 1
        while key in markets:  # a repeated id is still a market of its own
            n += 1
            key = f"{market.id}#{n}"
        markets[key] = market

    def plan(key: str, trial: int, trial_seed: int) -> CaseResult:
        market = markets[key]
        allocation = dict(answer(market.model_copy(update={"truth": None})))
        detail: dict[str, object] = {"allocation": allocation}
        passed = True
        if market.truth is not None:
            score = score_market(market, allocation)
            passed = not score.violations and score.regret <= pass_regret
            detail.update(regret=score.regret, violations=list(score.violations))
        return CaseResult(key, trial, trial_seed, passed, 0.0, detail=detail)

    run = run_trials_sync(
        list(markets),
        plan,
        trials=trials,
        seed=seed,
        concurrency=concurrency,
        time_limit_s=time_limit_s,
        on_result=on_result,
    )
    scores: list[MarketScore] = []
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    with Path(out_path).open("w", encoding="utf-8") as out:
        for result in run.for_trial(0):
            market = markets[result.case_id]
            allocation = result.detail.get("allocation")
            if isinstance(allocation, dict):
                line = {"id": market.id, "allocation": allocation}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            if market.truth is not None:
                scores.append(score_market(market, allocation))
                logger.debug("market %s: regret %.4f", market.id, scores[-1].regret)
    return replace(grade_markets(scores), run=run, pass_regret=pass_regret)
