"""`shopcrew eval replay` and `shopcrew eval tau`: the τ-bench retail tasks."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopcrew.cli._app import eval_app
from shopcrew.cli._options import (
    ConcurrencyOption,
    ResultOption,
    SeedOption,
    TimeLimitOption,
    TrialsOption,
)
from shopcrew.cli.evaluate._runner import (
    OnResult,
    Outcome,
    TrialOptions,
    count_cases,
    run_eval,
)

if TYPE_CHECKING:
    from shopcrew.evaluation.tau.replay import ReplayRun
    from shopcrew.evaluation.tau.run import TauReport

__all__ = ["eval_replay", "eval_tau"]

logger = logging.getLogger(__name__)

TasksOption = Annotated[Path, typer.Option("--tasks", help="Task file (τ-bench JSON array).")]


@eval_app.command("replay")
def eval_replay(
    tasks: TasksOption,
    db: Annotated[Path, typer.Option("--db", help="Store directory (orders/products/users).")],
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write, one line per task.")],
    expected: Annotated[
        Path | None,
        typer.Option("--expected", help="Oracle JSONL to compare with; exit 1 on a mismatch."),
    ] = None,
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
    platform_mcp: Annotated[
        str | None,
        typer.Option(
            "--platform-mcp",
            help="Replay through the τ tools over a platform's MCP adapters instead (a server "
            "with reference_reset and reference_store_sha256, e.g. python -m "
            "shopcrew.tools.mcp.serve_reference --store DB); outputs compared as JSON values.",
        ),
    ] = None,
    platform: Annotated[
        str, typer.Option("--platform", help="The platform's mapping table (--platform-mcp).")
    ] = "reference",
) -> None:
    """Replay each task's ground-truth actions on a fresh store; write outputs and hashes.

    Replay is deterministic: with --trials k every trial must agree (the printout says so).
    """
    from shopcrew.evaluation.tau.adapter_replay import PlatformReplay
    from shopcrew.evaluation.tau.replay import load_expected, load_tasks, run_replay
    from shopcrew.tools.reference.store import RetailStore

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[ReplayRun]:
        remote = PlatformReplay(platform_mcp, platform=platform) if platform_mcp else None
        try:
            if remote is not None:
                options["concurrency"] = 1  # one store on the server
            replayed = run_replay(
                store,
                task_list,
                expected=oracle,
                **options,
                on_result=advance,
                replay=remote,
                as_json=remote is not None,
            )
        finally:
            if remote is not None:
                remote.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as sink:
            for replayed_task in replayed.results:
                sink.write(replayed_task.to_json_line() + "\n")
        logger.info("wrote %d results to %s", len(replayed.results), out)
        return Outcome(replayed, replayed.run, replayed.lines(out), replayed.figures())

    task_list = load_tasks(tasks)
    oracle = load_expected(expected) if expected is not None else None
    store = RetailStore.load(db)
    outcome = run_eval(
        "replay",
        play,
        total=len(task_list) * trials,
        data_file=tasks,
        out=out,
        result=result,
        extra={"db": db, "expected": expected, "out": out, "platform_mcp": platform_mcp},
    )
    if outcome.report.mismatches:
        raise typer.Exit(1)


@eval_app.command("tau")
def eval_tau(
    tasks: TasksOption,
    db: Annotated[Path, typer.Option("--db", help="τ-bench retail store directory.")],
    model: Annotated[
        str, typer.Option("--model", help="CS agent: 'rules' or 'openai:<name>'.")
    ] = "rules",
    user_model: Annotated[
        str,
        typer.Option(
            "--user-model",
            help="Simulated customer: 'offline' (no model) or 'openai:<name>' (an LLM user).",
        ),
    ] = "offline",
    out: Annotated[
        Path | None, typer.Option("--out", help="Transcripts JSONL, one line per trial.")
    ] = None,
    max_turns: Annotated[
        int, typer.Option("--max-turns", min=1, help="Customer messages per conversation.")
    ] = 30,
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
) -> None:
    """Play τ-bench tasks as conversations with a simulated customer; print pass^k.

    A trial passes when the final store hash equals the ground-truth actions' hash. The result
    file goes to --result, else OUT.result.json, else TASKS.tau.result.json here.
    """
    from shopcrew.evaluation.tau.run import run_tau_eval

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[TauReport]:
        report = run_tau_eval(
            tasks,
            db,
            model=model,
            user_model=user_model,
            **options,
            max_turns=max_turns,
            out=out,
            on_result=advance,
        )
        return Outcome(
            report,
            report.trials,
            report.lines(),
            report.figures(),
            model=report.agent_model,
            extra={"user_model": report.user_model},
        )

    run_eval(
        "tau",
        play,
        total=count_cases(tasks, json_array=True) * trials,
        data_file=tasks,
        out=out or tasks,
        result=result or (None if out is not None else Path(f"{tasks.stem}.tau.result.json")),
        extra={
            "db": db,
            "user_model": None,  # the model the run used, from its outcome
            "model_asked": model,
            "user_model_asked": user_model,
            "out": out,
            "max_turns": max_turns,
        },
        models=(model, *([] if user_model == "offline" else [user_model])),
    )
