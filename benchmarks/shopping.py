"""Shopping guide: time per case with the rules model, and where the time goes.

Plays every case of a case file through the standalone guide (rules model, one thread per
case), and, interleaved with it in the same run, the two stages alone: reading the wish
(`fold` over the shopper's messages) and choosing (`Recommender.recommend` with the wish's
arguments). After a warm-up pass, each repetition times the three per case in turn; every
repetition is reported, with the median and p90 per case and the ratios of the whole to its
stages (same run, same machine).

    python benchmarks/shopping.py [--cases ../shared/eval/shopping_dev.jsonl]
        [--db ../shared/tau-retail/db] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage

from shopcrew.agents.shopping import CatalogIndex, Recommender, fold
from shopcrew.evaluation.shopping.format import ShoppingCase, load_shopping_cases
from shopcrew.evaluation.shopping.run import play_shopping_case
from shopcrew.graphs.shopping import build_shopping_guide
from shopcrew.models import RulesChatModel
from shopcrew.tools import Adapters

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {
        "median_ms": 1000 * statistics.median(ordered),
        "p90_ms": 1000 * p90,
        "mean_ms": 1000 * statistics.fmean(ordered),
    }


def _pass(
    cases: list[ShoppingCase], graph: Any, catalog: CatalogIndex, run: int
) -> dict[str, list[float]]:
    recommender = Recommender(catalog)
    times: dict[str, list[float]] = {"case": [], "read": [], "choose": []}
    for case in cases:
        started = time.perf_counter()
        play_shopping_case(case, graph, trial=run)
        times["case"].append(time.perf_counter() - started)
        messages = [HumanMessage(turn) for turn in case.turns]
        started = time.perf_counter()
        wish = fold(messages, catalog)
        times["read"].append(time.perf_counter() - started)
        started = time.perf_counter()
        if wish.groups:
            recommender.recommend(wish.args())
        times["choose"].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=Path, default=SHARED / "eval" / "shopping_dev.jsonl")
    parser.add_argument("--db", type=Path, default=SHARED / "tau-retail" / "db")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    cases = load_shopping_cases(options.cases)
    adapters = Adapters.from_store_dir(options.db)
    started = time.perf_counter()
    catalog = CatalogIndex.from_adapter(adapters.catalog)
    graph = build_shopping_guide(model=RulesChatModel(), adapters=adapters, catalog=catalog)
    build_s = time.perf_counter() - started
    _pass(cases, graph, catalog, 0)
    repetitions = []
    for repeat in range(options.repeats):
        times = _pass(cases, graph, catalog, repeat + 1)
        row = {stage: _quantiles(samples) for stage, samples in times.items()}
        row["case_over_read"] = row["case"]["median_ms"] / row["read"]["median_ms"]
        row["case_over_choose"] = row["case"]["median_ms"] / max(row["choose"]["median_ms"], 1e-9)
        repetitions.append(row)
    print(
        json.dumps(
            {
                "cases": len(cases),
                "case_file": str(options.cases),
                "model": "rules",
                "build_guide_s": build_s,
                "repetitions": repetitions,
                "median_case_ms": statistics.median(r["case"]["median_ms"] for r in repetitions),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
