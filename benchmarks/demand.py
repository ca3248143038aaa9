"""Time and peak memory of `shopcrew eval demand` on the dev markets.

Each repetition runs the CLI in a fresh process (so imports count, as a user sees them) and
reads its peak resident memory from the OS. Runs alternate with a baseline of the same
shape (seasonal-naive forecasts and the history-naive plan, graded by the
same grader), after one warm-up of each, so the ratio planner / baseline shows what planning
costs over reading, grading and printing. Prints JSON with every repetition.

    python benchmarks/demand.py [--repeats 3] [--markets ../shared/eval/demand_dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"

_NAIVE = """
import sys
from shopcrew.evaluation.demand import history_naive_plan
from shopcrew.evaluation.demand.forecast_scores import seasonal_naive
from shopcrew.evaluation.demand.run import run_demand_eval

def naive(market):
    forecast = {}
    for sku in market.skus:
        forecast[sku.id] = {}
        for region in market.regions:
            point = seasonal_naive(
                market.history[sku.id][region.id], market.cutoff, market.horizon.start,
                market.horizon.days,
            )
            forecast[sku.id][region.id] = {"point": point, "lo": point, "hi": point}
    plan = {}
    for (sku_id, region_id), units in history_naive_plan(market).items():
        plan.setdefault(sku_id, {})[region_id] = units
    return {"id": market.id, "forecast": forecast, "plan": plan}

report = run_demand_eval(sys.argv[1], sys.argv[2], truth_path=sys.argv[3], planner=naive)
print(report.lines()[-1])
"""


_PEAK = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
)


def _run(command: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_KIB=")]
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(int(peak[-1].split("=")[1]) / 1024, 1),
        "last_line": done.stdout.strip().splitlines()[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", type=Path, default=EVAL / "demand_dev.jsonl")
    parser.add_argument("--truth", type=Path, default=EVAL / "demand_dev_truth.jsonl")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "answers.jsonl"
        baseline = [
            sys.executable, "-c", _PEAK + _NAIVE, str(args.markets), str(out), str(args.truth)
        ]  # fmt: skip
        planner = [
            sys.executable, "-c", _PEAK + "from shopcrew.cli import main; main()", "eval", "demand",
            "--markets", str(args.markets), "--out", str(out), "--truth", str(args.truth),
            "--result", str(Path(tmp) / "result.json"),
        ]  # fmt: skip
        _run(baseline)  # warm-up: the OS file cache, compiled bytecode
        _run(planner)
        runs: dict[str, list[dict[str, Any]]] = {"naive": [], "planner": []}
        for _ in range(args.repeats):
            runs["naive"].append(_run(baseline))
            runs["planner"].append(_run(planner))
    planner_s = statistics.median(r["seconds"] for r in runs["planner"])
    naive_s = statistics.median(r["seconds"] for r in runs["naive"])
    print(
        json.dumps(
            {
                "markets": str(args.markets),
                "repeats": args.repeats,
                "planner_median_s": planner_s,
                "naive_median_s": naive_s,
                "ratio_planner_over_naive": round(planner_s / naive_s, 2),
                "peak_rss_mib_planner": max(r["peak_rss_mib"] for r in runs["planner"]),
                "peak_rss_mib_naive": max(r["peak_rss_mib"] for r in runs["naive"]),
                "runs": runs,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
