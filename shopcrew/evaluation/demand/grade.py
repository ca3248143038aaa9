"""Grades a demand answer file against the truth and prints `DEMAND_FORMAT.md`'s figures."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopcrew.evaluation.demand.forecast_scores import ForecastScore, score_forecasts
from shopcrew.evaluation.demand.plan_scores import PlanScore, score_plan
from shopcrew.evaluation.demand.truth import DemandTruth, parse_answer
from shopcrew.tools.records.demand import DemandMarket

__all__ = ["DemandReport", "MarketGrade", "grade_demand", "grade_market"]


@dataclass(frozen=True, slots=True)
class MarketGrade:
    """One market's grade."""

    market_id: str
    answered: bool
    forecast: ForecastScore
    plan: PlanScore
    violations: tuple[str, ...]
    flagged: tuple[str, ...]
    """SKUs the answer sent for approval."""
    truth: DemandTruth

    def figures(self) -> dict[str, Any]:
        """Every figure of the market, for `--json`."""
        return {
            "id": self.market_id,
            "answered": self.answered,
            "mase": self.forecast.mase,
            "mase_naive": self.forecast.mase_naive,
            "msis80": self.forecast.msis,
            "coverage80": self.forecast.covered / self.forecast.days,
            "expected_coverage80": self.forecast.expected_covered / self.forecast.days,
            "regret": self.plan.regret,
            "realised_regret": self.plan.realised_regret,
            "naive_regret": self.plan.naive_regret,
            "savings_captured": self.plan.savings_captured,
            "cost": self.plan.cost,
            "oracle_cost": self.plan.oracle_cost,
            "cross_share": self.plan.cross_share,
            "naive_cross_share": self.plan.naive_cross_share,
            "oracle_cross_share": self.plan.oracle_cross_share,
            "fad_write_off": self.plan.fad_write_off,
            "violations": list(self.violations),
            "flagged": list(self.flagged),
            "fad": list(self.truth.fad),
            "hit": list(self.truth.hit),
            "tags": list(self.truth.tags),
        }


def grade_market(
    market: DemandMarket, truth: DemandTruth, answer: Mapping[str, Any] | None
) -> MarketGrade:
    """Grades one market's answer (None: no answer line, one violation)."""
    if answer is None:
        violations: list[str] = ["no answer line"]
        parsed = None
        plan: dict[tuple[str, str], float] = {}
    else:
        parsed, problems = parse_answer(answer, market)
        violations, plan = list(problems), parsed.plan
    plan_score = score_plan(market, truth, plan)
    violations.extend(plan_score.capacity_violations)
    if plan_score.budget_violation is not None:
        violations.append(plan_score.budget_violation)
    return MarketGrade(
        market_id=market.id,
        answered=answer is not None,
        forecast=score_forecasts(market, truth, parsed),
        plan=plan_score,
        violations=tuple(violations),
        flagged=() if parsed is None else tuple(sorted(set(parsed.approvals))),
        truth=truth,
    )


def _nearest_rank(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


@dataclass(frozen=True, slots=True)
class DemandReport:
    """The grade of a whole answer file."""

    grades: tuple[MarketGrade, ...]
    details: int = 10
    extra_lines: tuple[str, ...] = field(default=())
    """Lines the caller adds before the closing line (trial notes, timings)."""

    @property
    def mase(self) -> float:
        """Mean weighted MASE over markets, divided by seasonal naive's."""
        ours = float(np.mean([g.forecast.mase for g in self.grades]))
        naive = float(np.mean([g.forecast.mase_naive for g in self.grades]))
        return ours / naive if naive > 0 else math.nan

    def figures(self) -> dict[str, Any]:
        """The headline figures (for the result file)."""
        g = self.grades
        fads = [(m, s) for m in g for s in m.truth.fad]
        hits = [(m, s) for m in g for s in m.truth.hit]
        others = sum(
            1 for m in g for s in m.flagged if s not in m.truth.fad and s not in m.truth.hit
        )
        n_others = sum(len(m.forecast.series) // 6 for m in g) - len(fads) - len(hits)
        return {
            "markets": len(g),
            "mase": self.mase,
            "mase_abs": float(np.mean([m.forecast.mase for m in g])),
            "mase_naive_abs": float(np.mean([m.forecast.mase_naive for m in g])),
            "msis80": float(np.mean([m.forecast.msis for m in g])),
            "coverage80": sum(m.forecast.covered for m in g) / sum(m.forecast.days for m in g),
            "expected_coverage80": sum(m.forecast.expected_covered for m in g)
            / sum(m.forecast.days for m in g),
            "regret": float(np.mean([m.plan.regret for m in g])),
            "p90_regret": _nearest_rank([m.plan.regret for m in g], 0.9),
            "realised_regret": float(np.mean([m.plan.realised_regret for m in g])),
            "savings_captured": float(np.mean([m.plan.savings_captured for m in g])),
            "naive_regret": float(np.mean([m.plan.naive_regret for m in g])),
            "violations": sum(len(m.violations) for m in g),
            "cross_share": float(np.mean([m.plan.cross_share for m in g])),
            "naive_cross_share": float(np.mean([m.plan.naive_cross_share for m in g])),
            "oracle_cross_share": float(np.mean([m.plan.oracle_cross_share for m in g])),
            "fads_flagged": sum(s in m.flagged for m, s in fads),
            "fads": len(fads),
            "hits_flagged": sum(s in m.flagged for m, s in hits),
            "hits": len(hits),
            "others_flagged": others,
            "others": n_others,
            "fad_write_off": float(sum(m.plan.fad_write_off for m in g)),
            "fad_write_off_share": float(
                np.mean([m.plan.fad_write_off / m.plan.oracle_cost for m in g])
            ),
        }

    def _tag_lines(self) -> list[str]:
        by_tag: dict[str, list[float]] = {}
        for m in self.grades:
            for tag in sorted({t.split(":", 1)[0] for t in m.truth.tags}):
                by_tag.setdefault(tag, []).append(m.plan.regret)
        lines = [
            f"  market tag {tag}: regret={_pct(float(np.mean(v)))} ({len(v)} markets)"
            for tag, v in sorted(by_tag.items())
        ]
        return lines + self._sku_tag_lines()

    def _sku_tag_lines(self) -> list[str]:
        sums: dict[str, list[float]] = {}
        for m in self.grades:
            kept = [s for s in m.forecast.series if s.scale > 0]
            total = sum(s.weight for s in kept) or 1.0
            for s in m.forecast.series:
                for tag in m.truth.sku_tags.get(s.sku, ()):
                    acc = sums.setdefault(tag, [0.0, 0.0, 0.0, 0.0])
                    if s.scale > 0:
                        acc[0] += s.weight / total * s.mae / s.scale
                        acc[1] += s.weight / total * s.mae_naive / s.scale
                    acc[2] += s.covered
                    acc[3] += s.days
        return [
            f"  SKU tag {tag}: MASE={a[0] / a[1] if a[1] > 0 else math.nan:.3f}, "
            f"coverage80={_pct(a[2] / a[3])}"
            for tag, a in sorted(sums.items())
        ]

    def lines(self) -> list[str]:
        """The printed report; the last line is the one DEMAND_FORMAT.md fixes."""
        f = self.figures()
        worst = sorted(self.grades, key=lambda m: -m.plan.regret)[: self.details]
        out = [
            f"  {m.market_id}: regret={_pct(m.plan.regret)}, MASE={m.forecast.mase:.3f} "
            f"(naive {m.forecast.mase_naive:.3f}), coverage80="
            f"{_pct(m.forecast.covered / m.forecast.days)}, flagged={','.join(m.flagged) or '-'}"
            + (f", violations: {'; '.join(m.violations)}" if m.violations else "")
            for m in worst
        ]
        out.extend(self._tag_lines())
        out.append(
            f"forecast: MASE abs={f['mase_abs']:.3f} (naive {f['mase_naive_abs']:.3f}), "
            f"MSIS80={f['msis80']:.2f}, coverage80={_pct(f['coverage80'])} "
            f"(true quantiles cover {_pct(f['expected_coverage80'])})"
        )
        out.append(
            f"plan: regret={_pct(f['regret'])} (p90 {_pct(f['p90_regret'])}), realised regret="
            f"{_pct(f['realised_regret'])}, savings captured={_pct(f['savings_captured'])}, "
            f"history-naive regret={_pct(f['naive_regret'])}, "
            f"oracle cross-region share={_pct(f['oracle_cross_share'])}"
        )
        out.append(
            f"approvals: fads flagged {f['fads_flagged']}/{f['fads']}, hits flagged "
            f"{f['hits_flagged']}/{f['hits']}, others flagged {f['others_flagged']}/{f['others']}"
            f"; fad write-off {f['fad_write_off']:.0f} "
            f"({_pct(f['fad_write_off_share'])} of the oracle's cost)"
        )
        out.extend(self.extra_lines)
        out.append(
            f"demand: MASE={f['mase']:.3f} (seasonal-naive 1.000), "
            f"coverage80={100 * f['coverage80']:.0f}%, plan regret={_pct(f['regret'])}, "
            f"violations={f['violations']}, cross-region share="
            f"{100 * f['cross_share']:.1f}% (naive {100 * f['naive_cross_share']:.1f}%)"
        )
        return out


def grade_demand(
    markets: Sequence[DemandMarket],
    truths: Mapping[str, DemandTruth],
    answers: Mapping[str, Mapping[str, Any]],
    *,
    details: int = 10,
) -> DemandReport:
    """Grades every market that has a truth (a market without an answer line is a violation)."""
    grades = tuple(
        grade_market(m, truths[m.id], answers.get(m.id)) for m in markets if m.id in truths
    )
    return DemandReport(grades, details=details)
