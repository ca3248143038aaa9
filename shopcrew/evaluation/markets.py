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

from shopcrew.agents.planner.allocate import plan_market
from shopcrew.evaluation._cases import keyed_cases
from shopcrew.evaluation.harness import (
    CaseResult,
    TrialsResult,
    run_trials_sync,
    trial_notes,
    trials_agree,
)
from shopcrew.evaluation.market_oracle import (
    MarketScore,
    OptimalAllocation,
    constraint_violations,
    optimal_allocation,
    score_market,
    uniform_allocation,
)
from shopcrew.tools.records.markets import Market, iter_markets

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
    markets = keyed_cases(iter_markets(markets_path))

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
    scores = _write_answers(run, markets, out_path)
    return replace(grade_markets(scores), run=run, pass_regret=pass_regret)


def _write_answers(
    run: TrialsResult, markets: Mapping[str, Market], out_path: str | Path
) -> list[MarketScore]:
    """Write trial 0's allocations, one line per answered market; score those with truth."""
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
    return scores
