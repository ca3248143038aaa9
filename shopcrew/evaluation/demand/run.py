"""`shopcrew eval demand`: runs the demand planner over a market file and grades its answers.

Each market is one case of the harness. The answer file gets one line per market (trial 0's);
with a truth file the grader (`grade`) scores them. A market passes (for pass^k) when its
answer breaks no constraint and, with truth, its regret is at most `pass_regret`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shopcrew.errors import DemandFileError
from shopcrew.evaluation._cases import keyed_cases
from shopcrew.evaluation.demand.grade import DemandReport, MarketGrade, grade_market
from shopcrew.evaluation.demand.truth import (
    DemandTruth,
    check_truth_fits,
    load_truths,
    parse_answer,
)
from shopcrew.evaluation.harness import CaseResult, TrialsResult, run_trials_sync, trial_notes
from shopcrew.tools.records.demand import DemandMarket, load_demand_markets

__all__ = ["DEFAULT_PASS_REGRET", "DemandEvalReport", "Planner", "run_demand_eval"]

logger = logging.getLogger(__name__)

Planner = Callable[[DemandMarket], Mapping[str, Any]]
"""Anything that answers a market with an answer object of DEMAND_FORMAT.md."""

DEFAULT_PASS_REGRET = 0.15
"""A market passes at most this regret (and no violation)."""


@dataclass(frozen=True)
class DemandEvalReport:
    """The run and, when truth was given, its grade."""

    run: TrialsResult
    markets: int
    grade: DemandReport | None

    def lines(self) -> list[str]:
        """The printed report (the grader's lines end with DEMAND_FORMAT.md's closing line)."""
        notes = trial_notes(self.run, agree_key="plan")
        if self.grade is None:
            return [*notes, f"demand: answered {self.run.passed}/{self.markets} markets (no truth)"]
        return replace(self.grade, extra_lines=tuple(notes)).lines()

    def figures(self) -> dict[str, object]:
        """Headline figures for the result file."""
        figures: dict[str, object] = {"markets": self.markets, "answered": self.run.passed}
        if self.grade is not None:
            figures.update(self.grade.figures())
        return figures


def _default_planner(market: DemandMarket) -> Mapping[str, Any]:
    from shopcrew.agents.demand import plan_demand

    return plan_demand(market).to_json()


def run_demand_eval(
    markets_path: str | Path,
    out_path: str | Path,
    *,
    truth_path: str | Path | None = None,
    planner: Planner | None = None,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    pass_regret: float = DEFAULT_PASS_REGRET,
    details: int = 10,
    json_out: str | Path | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> DemandEvalReport:
    """Plans every market of a file, writes the answers, and grades them against the truth.

    Args:
        markets_path: A JSONL market file (DEMAND_FORMAT.md).
        out_path: Where to write one answer line per market.
        truth_path: The truth file; None to only write the answers.
        planner: Answers a market; the demand planner by default.
        trials: Trials per market (the planner is deterministic: they must agree).
        seed: The run's seed (the default planner uses none).
        concurrency: Markets planned at once (threads).
        time_limit_s: Per market and trial; None for no limit.
        pass_regret: The largest regret of a passing market.
        details: How many markets the report lists.
        json_out: Where to write every figure per market (JSON), if anywhere.
        on_result: Called with each result as it finishes (progress).

    Raises:
        DemandFileError: the market or truth file is unreadable or malformed, or a truth does
            not fit its market.
    """
    answer, markets = planner or _default_planner, keyed_cases(load_demand_markets(markets_path))
    truths = _truths(truth_path, markets)
    graded: dict[str, MarketGrade] = {}

    def plan(key: str, trial: int, trial_seed: int) -> CaseResult:
        market = markets[key]
        passed, detail, grade = _plan_one(market, truths.get(market.id), answer, pass_regret)
        if grade is not None and trial == 0:
            graded[key] = grade
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
    answers = _write_answers(run, markets, out_path)
    grade = _grade(markets, truths, answers, graded, details) if truths else None
    if grade is not None and json_out is not None:
        _write_figures(grade, json_out)
    return DemandEvalReport(run=run, markets=len(markets), grade=grade)


def _truths(
    truth_path: str | Path | None, markets: Mapping[str, DemandMarket]
) -> dict[str, DemandTruth]:
    """The truth of each market that has one (none without a file), checked against it."""
    truths = load_truths(truth_path) if truth_path is not None else {}
    for market in markets.values():
        if market.id in truths:
            check_truth_fits(market, truths[market.id], path=str(truth_path))
    return truths


def _plan_one(
    market: DemandMarket, truth: DemandTruth | None, answer: Planner, pass_regret: float
) -> tuple[bool, dict[str, object], MarketGrade | None]:
    """Answer one market: whether it passes, what the result keeps, and its grade (with truth)."""
    response = dict(answer(market))
    response["id"] = market.id
    _, problems = parse_answer(response, market)
    detail: dict[str, object] = {"answer": response, "plan": response.get("plan")}
    if truth is None:
        return not problems, detail, None
    grade = grade_market(market, truth, response)
    detail.update(regret=grade.plan.regret, violations=list(grade.violations))
    return not grade.violations and grade.plan.regret <= pass_regret, detail, grade


def _write_figures(grade: DemandReport, json_out: str | Path) -> None:
    """Every figure per market, as JSON (`--json`)."""
    payload = {"figures": grade.figures(), "markets": [g.figures() for g in grade.grades]}
    Path(json_out).write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


def _write_answers(
    run: TrialsResult, markets: Mapping[str, DemandMarket], out_path: str | Path
) -> dict[str, Mapping[str, Any]]:
    answers: dict[str, Mapping[str, Any]] = {}
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    with Path(out_path).open("w", encoding="utf-8") as out:
        for result in run.for_trial(0):
            response = result.detail.get("answer")
            if isinstance(response, dict):
                answers[result.case_id] = response
                out.write(json.dumps(response, ensure_ascii=False) + "\n")
    logger.info("wrote %d answers to %s", len(answers), out_path)
    return answers


def _grade(
    markets: Mapping[str, DemandMarket],
    truths: Mapping[str, DemandTruth],
    answers: Mapping[str, Mapping[str, Any]],
    graded: Mapping[str, MarketGrade],
    details: int,
) -> DemandReport:
    grades = tuple(
        graded.get(key) or grade_market(market, truths[market.id], answers.get(key))
        for key, market in markets.items()
        if market.id in truths
    )
    if not grades:
        raise DemandFileError("<truth>", 0, "the truth file names none of the markets")
    return DemandReport(grades, details=details)
