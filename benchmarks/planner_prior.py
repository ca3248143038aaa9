"""Planner prior: refits the curve priors of `FitSettings` from markets that carry their truth,
and cross-validates them by halves.

The defaults of `shopcrew.agents.planner.FitSettings` are an empirical-Bayes fit to the
development markets. This re-derives every fitted number from a markets file (so the defaults
can be checked and refitted on other data), then fits on the odd markets and scores the even
ones, and the other way round, so the regret of a prior never seen by the markets it is
scored on is known. Prints JSON: the fitted priors (all markets, each half), and per half the
mean and p90 regret and violations of the planner with the other half's prior, with the
defaults, and of keeping the current allocation (the baseline of the same run).

    python benchmarks/planner_prior.py [--markets ../shared/eval/markets_dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from shopcrew.agents.planner.allocate import PlannerSettings, plan_market
from shopcrew.agents.planner.fit import FitSettings
from shopcrew.evaluation.markets import grade_markets, optimal_allocation, score_market
from shopcrew.tools.records.markets import Market, iter_markets

_UNFUNDED_X = FitSettings().unfunded_x


def fit_prior(markets: Sequence[Market], *, saturated_x: float = 4.0) -> FitSettings:
    """The priors of `FitSettings` fitted by maximum likelihood to the markets' true curves."""
    log_x, zero_roas, balance, log_theta = [], [], [], []
    saturated = total = 0
    for market in markets:
        assert market.truth is not None, f"{market.id}: no truth to fit a prior on"
        curves = market.truth.curves
        free = market.model_copy(update={"min_roas": None})
        theta = optimal_allocation(free, curves).marginal_roas
        log_theta.append(math.log(theta))
        for campaign in market.campaigns:
            curve = curves[campaign.id]
            x = market.current_allocation[campaign.id] / curve.k
            total += 1
            zero_roas.append(curve.a / curve.k)
            if x >= saturated_x:
                saturated += 1
                continue
            log_x.append(math.log(x))
            balanced = max(math.log(curve.a / curve.k / theta), _UNFUNDED_X)
            balance.append(math.log(x / balanced))
    x_skew, x_loc, x_scale = stats.skewnorm.fit(np.array(log_x))
    b_skew, b_loc, b_scale = stats.skewnorm.fit(np.array(balance))
    return FitSettings(
        prior_log_x_loc=float(x_loc),
        prior_log_x_scale=float(x_scale),
        prior_log_x_skew=float(x_skew),
        saturated_share=saturated / total,
        zero_roas_low=min(zero_roas),
        zero_roas_high=max(zero_roas),
        balance_loc=float(b_loc),
        balance_scale=float(b_scale),
        balance_skew=float(b_skew),
        margin_prior_mean=float(np.mean(log_theta)),
        margin_prior_sd=float(np.std(log_theta)),
    )


def score(markets: Sequence[Market], fit: FitSettings | None) -> dict[str, Any]:
    """Mean and p90 regret and violations of the planner with `fit` (None: keep current)."""
    scores = []
    for market in markets:
        blind = market.model_copy(update={"truth": None})
        if fit is None:
            allocation = dict(market.current_allocation)
        else:
            allocation = plan_market(blind, settings=PlannerSettings(fit=fit)).budgets
        scores.append(score_market(market, allocation))
    report = grade_markets(scores)
    return {
        "markets": len(scores),
        "mean_regret": round(report.mean_regret, 5),
        "p90_regret": round(report.p90_regret, 5),
        "violations": report.violations,
    }


def _priors(fit: FitSettings) -> dict[str, float]:
    fitted = asdict(fit)
    defaults = asdict(FitSettings())
    return {
        name: round(float(value), 4)
        for name, value in fitted.items()
        if name in defaults and isinstance(value, float)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", type=Path, default=Path("../shared/eval/markets_dev.jsonl"))
    args = parser.parse_args()
    markets = list(iter_markets(args.markets))
    odd, even = markets[0::2], markets[1::2]
    fitted_odd, fitted_even = fit_prior(odd), fit_prior(even)
    defaults = FitSettings()
    out = {
        "markets": str(args.markets),
        "priors": {
            "defaults": _priors(defaults),
            "all": _priors(fit_prior(markets)),
            "odd": _priors(fitted_odd),
            "even": _priors(fitted_even),
        },
        "cross_validated": {
            "even_scored_with_odd_prior": score(even, fitted_odd),
            "odd_scored_with_even_prior": score(odd, fitted_even),
        },
        "defaults": {"even": score(even, defaults), "odd": score(odd, defaults)},
        "keep_current_allocation": {"even": score(even, None), "odd": score(odd, None)},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
