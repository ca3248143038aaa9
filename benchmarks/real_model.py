"""A real model end to end: the CS dev set, a scenario slice and `eval tau`, on demand.

Not run in CI (it needs a model endpoint). Points the CS agent at any OpenAI-compatible
endpoint (OpenAI, DashScope, vLLM, Ollama, llama-cpp-python's server...) and measures it the
way our own figures are measured: pass^k, customers' goals met, tokens, cost and seconds per
customer turn, with the model that actually ran named in the output (with no endpoint set,
`resolve_model` raises `ModelEndpointError` naming the variables to set).

    OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=... \\
    python benchmarks/real_model.py --model openai:qwen2.5-7b-instruct \\
        [--cs-cases 20] [--tau-tasks 20] [--volume 0.05] [--trials 2] \\
        [--price-in 0.15 --price-out 0.6] [--out real_model.json]

Sets: the CS cases and τ-bench tasks are the **dev** sets of ../shared; the scenario slice is
**synthetic** (the bundled `double11_peak_hour` at `--volume`). Prices (USD per million
tokens) are needed for a cost when the model is not in the price list that ships offline.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopcrew.data import scenario_path
from shopcrew.evaluation.cs.format import load_cases
from shopcrew.evaluation.cs.run import run_cs_trials
from shopcrew.evaluation.labels import model_label
from shopcrew.evaluation.tau.replay import load_tasks
from shopcrew.evaluation.tau.run import run_tau_eval
from shopcrew.models.factory import resolve_model
from shopcrew.scenario import run_scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _cost(tokens_in: int, tokens_out: int, known: Decimal | None, args: argparse.Namespace) -> Any:
    if args.price_in is not None and args.price_out is not None:
        return round((tokens_in * args.price_in + tokens_out * args.price_out) / 1e6, 6)
    return None if known is None else float(known)


def _cs(model: Any, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    cases = load_cases(SHARED / "eval" / "cs_dev.jsonl")[: args.cs_cases]
    started = time.perf_counter()
    report = run_cs_trials(
        cases,
        SHARED / "tau-retail" / "db",
        SHARED / "eval" / "cs_kb.jsonl",
        model,
        work / "cs.jsonl",
        trials=args.trials,
    )
    seconds = time.perf_counter() - started
    turns = sum(len(c.turns) for c in cases) * args.trials
    usage = report.usage
    figures = report.figures()
    return {
        "set": "dev: cs_dev.jsonl",
        "cases": len(cases),
        "graded": figures["total"] // args.trials if args.trials else 0,
        "pass^k": {str(k): round(v, 4) for k, v in report.run.pass_hat().items()},
        "passed": figures["passed"],
        "violations": figures["violations"],
        "tokens": {"input": usage.input_tokens, "output": usage.output_tokens},
        "model_calls": usage.runs,
        "cost_usd": _cost(usage.input_tokens, usage.output_tokens, usage.cost_usd, args),
        "seconds_per_turn": round(seconds / turns, 3) if turns else None,
    }


def _scenario(model: Any, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    path = scenario_path("double11_peak_hour")
    started = time.perf_counter()
    result = run_scenario(path, model=model, volume=args.volume, out_dir=work / "scenario")
    seconds = time.perf_counter() - started
    summary = result.report["summary"]
    turns = summary["customer_messages"] or 0
    tokens = summary["tokens"]
    return {
        "set": f"synthetic: {path.name} at volume {args.volume}",
        "conversations": summary["conversations"],
        "goals": summary["goals"],
        "resolution_rate": summary["resolution_rate"],
        "violations": summary["violations"],
        "expectations_passed": result.passed,  # at a small volume some need more conversations
        "tokens": tokens,
        "model_calls": summary["model_calls"],
        "cost_usd": _cost(
            tokens["input"],
            tokens["output"],
            None if summary["cost_usd"] is None else Decimal(str(summary["cost_usd"])),
            args,
        ),
        "seconds_per_turn": round(seconds / turns, 3) if turns else None,
    }


def _tau(model: Any, args: argparse.Namespace) -> dict[str, Any]:
    tasks = load_tasks(SHARED / "tau-retail" / "tasks_dev.json")[: args.tau_tasks]
    started = time.perf_counter()
    report = run_tau_eval(tasks, SHARED / "tau-retail" / "db", model=model, trials=args.trials)
    seconds = time.perf_counter() - started
    usage = report.trials.usage()
    figures = report.figures()
    turns = sum(int(r.detail.get("customer_turns", 0) or 0) for r in report.trials.results)
    return {
        "set": "dev: tasks_dev.json",
        "tasks": len(tasks),
        "customer": report.user_model,
        "pass^k": {k: v for k, v in figures.items() if k.startswith("pass^")},
        "reasons": figures["reasons"],
        "customer_turns_mean": figures["customer_turns_mean"],
        "tokens": {"input": usage.input_tokens, "output": usage.output_tokens},
        "cost_usd": _cost(usage.input_tokens, usage.output_tokens, usage.cost_usd, args),
        "seconds_per_turn": round(seconds / turns, 3) if turns else None,
    }


def main() -> None:
    """Run the three measures and print (and optionally write) one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="'openai:<name>' (or 'rules').")
    parser.add_argument("--cs-cases", type=int, default=20)
    parser.add_argument("--tau-tasks", type=int, default=20)
    parser.add_argument("--volume", type=float, default=0.05)
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--price-in", type=float, default=None, help="USD per 1M input tokens.")
    parser.add_argument("--price-out", type=float, default=None, help="USD per 1M output tokens.")
    parser.add_argument("--skip", nargs="*", default=[], choices=["cs", "scenario", "tau"])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    model = resolve_model(args.model)
    result: dict[str, Any] = {"model_asked": args.model, "model": model_label(model)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "cs" not in args.skip:
            result["cs"] = _cs(model, args, work)
        if "scenario" not in args.skip:
            result["scenario"] = _scenario(model, args, work)
        if "tau" not in args.skip:
            result["tau"] = _tau(model, args)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
