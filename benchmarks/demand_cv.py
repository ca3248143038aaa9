"""Demand planner settings cross-validated by halves.

`DemandSettings`' defaults were chosen looking at the development markets. This scores a grid
of settings on every market of a file that carries truth, then picks the best setting on the
odd markets and scores it on the even ones (and the other way round), so the figures of a
setting never chosen on the markets it is scored on are known. Prints JSON: per half, the
chosen setting, its mean regret and MASE on the other half, and the defaults' on that half.

    python benchmarks/demand_cv.py [--markets ../shared/eval/demand_dev.jsonl \
        --truth ../shared/eval/demand_dev_truth.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from shopcrew.agents.demand import DemandSettings, plan_demand
from shopcrew.evaluation.demand import grade_market, load_truths
from shopcrew.tools.records.demand import load_demand_markets

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
GRID = {
    "amplitude_spread": (0.2, 0.4, 0.6),
    "week_excess": (0.4, 0.5, 0.6),
}


def _figures(scores: list[dict[str, float]]) -> dict[str, float]:
    return {
        "regret": float(np.mean([s["regret"] for s in scores])),
        "mase": float(np.mean([s["mase"] for s in scores]))
        / float(np.mean([s["mase_naive"] for s in scores])),
        "violations": float(sum(s["violations"] for s in scores)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", type=Path, default=EVAL / "demand_dev.jsonl")
    parser.add_argument("--truth", type=Path, default=EVAL / "demand_dev_truth.jsonl")
    args = parser.parse_args()
    markets = load_demand_markets(args.markets)
    truths = load_truths(args.truth)
    settings = [
        DemandSettings(**dict(zip(GRID, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]
    scores: dict[int, list[dict[str, float]]] = {}
    for i, setting in enumerate(settings):
        scores[i] = []
        for market in markets:
            grade = grade_market(market, truths[market.id], plan_demand(market, setting).to_json())
            scores[i].append(
                {
                    "regret": grade.plan.regret,
                    "mase": grade.forecast.mase,
                    "mase_naive": grade.forecast.mase_naive,
                    "violations": len(grade.violations),
                }
            )
    default = settings.index(DemandSettings())
    halves = {"odd": list(range(0, len(markets), 2)), "even": list(range(1, len(markets), 2))}
    report: dict[str, Any] = {"markets": len(markets), "grid": GRID, "halves": {}}
    for name, chosen_on in halves.items():
        scored_on = [i for i in range(len(markets)) if i not in chosen_on]
        best = min(
            scores, key=lambda s: float(np.mean([scores[s][i]["regret"] for i in chosen_on]))
        )
        report["halves"][f"chosen on {name}"] = {
            "setting": asdict(settings[best]),
            "other half": _figures([scores[best][i] for i in scored_on]),
            "defaults on the other half": _figures([scores[default][i] for i in scored_on]),
        }
    report["defaults, all markets"] = _figures(scores[default])
    report["every setting, all markets"] = [
        {"setting": asdict(settings[i]), **_figures(scores[i])} for i in scores
    ]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
