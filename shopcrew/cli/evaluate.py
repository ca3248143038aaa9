"""`shopcrew eval ...`: the evaluation commands."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopcrew.cli._app import err_console, eval_app, out_console

__all__ = ["eval_cs", "eval_listings", "eval_markets", "eval_replay"]

logger = logging.getLogger(__name__)


@eval_app.command("replay")
def eval_replay(
    tasks: Annotated[Path, typer.Option("--tasks", help="Task file (τ-bench JSON array).")],
    db: Annotated[Path, typer.Option("--db", help="Store directory (orders/products/users).")],
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write, one line per task.")],
    expected: Annotated[
        Path | None,
        typer.Option("--expected", help="Oracle JSONL to compare with; exit 1 on a mismatch."),
    ] = None,
) -> None:
    """Replay each task's ground-truth actions on a fresh store; write outputs and hashes."""
    from shopcrew.evaluation.replay import compare_results, load_expected, load_tasks, replay_tasks
    from shopcrew.tools.json_store import RetailStore

    task_list = load_tasks(tasks)
    oracle = load_expected(expected) if expected is not None else None
    store = RetailStore.load(db)
    progress = Progress(
        TextColumn("replay"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with progress, out.open("w", encoding="utf-8") as sink:
        bar = progress.add_task("replay", total=len(task_list))
        results = []
        for result in replay_tasks(store, task_list):
            sink.write(result.to_json_line() + "\n")
            results.append(result)
            progress.advance(bar)
    logger.info("wrote %d results to %s", len(results), out)
    if oracle is None:
        out_console.print(f"tau-replay: {len(results)} tasks replayed, results in {out}")
        return
    mismatches = compare_results(results, oracle)
    for mismatch in mismatches:
        out_console.print(f"mismatch {mismatch.task}: {mismatch.detail}", markup=False)
    total = len({result.task for result in results} | set(oracle))
    out_console.print(f"tau-replay: {total - len(mismatches)}/{total} tasks match")
    if mismatches:
        raise typer.Exit(1)


@eval_app.command("cs")
def eval_cs(
    cases: Annotated[Path, typer.Option("--cases", help="CS case file (CS_FORMAT.md).")],
    db: Annotated[Path, typer.Option("--db", help="τ-bench retail store directory.")],
    out: Annotated[Path, typer.Option("--out", help="Transcripts JSONL to write.")],
    kb: Annotated[
        Path | None, typer.Option("--kb", help="Knowledge base JSONL; the shipped one if unset.")
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="'rules' or 'openai:<name>' (OPENAI_BASE_URL/KEY).")
    ] = "rules",
) -> None:
    """Play the customer-service cases, write transcripts, grade them and print pass rates."""
    from shopcrew.evaluation.cs_eval import run_cs_eval

    report = run_cs_eval(cases, db, kb, model, out)
    for line in report.lines():
        out_console.print(line, markup=False)


@eval_app.command("listings")
def eval_listings(
    listings: Annotated[Path, typer.Option("--listings", help="Listings JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL to write: id and defect codes.")],
) -> None:
    """Audit every listing (store manager rules); grade when the file carries expected codes."""
    from shopcrew.evaluation.listings import run_listings_eval

    report = run_listings_eval(listings, out)
    for line in report.lines():
        out_console.print(line, markup=False)


@eval_app.command("markets")
def eval_markets(
    markets: Annotated[Path, typer.Option("--markets", help="Ad markets JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL to write: id and allocation.")],
) -> None:
    """Allocate each market's daily budget (marketing planner); grade markets with truth."""
    from shopcrew.evaluation.markets import run_markets_eval

    report = run_markets_eval(markets, out)
    for line in report.lines():
        out_console.print(line, markup=False)
