"""`shopcrew eval ...`: the evaluation commands."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopcrew.cli._app import err_console, eval_app, out_console

if TYPE_CHECKING:
    from shopcrew.evaluation.harness import CaseResult, TrialsResult

__all__ = [
    "eval_compare",
    "eval_cs",
    "eval_demand",
    "eval_listings",
    "eval_markets",
    "eval_replay",
    "eval_shopping",
]

logger = logging.getLogger(__name__)

TrialsOption = Annotated[
    int,
    typer.Option("--trials", min=1, help="Trials per case; pass^k is reported for k = 1..trials."),
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Run seed; each trial's seed is derived from it.")
]
ConcurrencyOption = Annotated[
    int, typer.Option("--concurrency", min=1, help="Cases run at once (threads).")
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option(
        "--time-limit", min=0.001, help="Seconds per case and trial; a slower case fails."
    ),
]
ResultOption = Annotated[
    Path | None,
    typer.Option("--result", help="Result JSON to write; OUT.result.json next to --out if unset."),
]


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[CaseResult], None]]:
    """A transient progress bar on stderr; yields the harness's `on_result` callback."""
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    with progress:
        bar = progress.add_task(label, total=total)

        def advance(result: CaseResult) -> None:
            progress.advance(bar)

        yield advance


def _check_models(*specs: str) -> None:
    """Resolve each model spec before any data is read: a model without an endpoint stops here.

    Raises:
        ModelEndpointError: `openai:NAME` with neither OPENAI_API_KEY nor OPENAI_BASE_URL.
    """
    from shopcrew.models import resolve_model

    for spec in specs:
        resolve_model(spec)


def _count(path: Path, *, json_array: bool = False) -> int:
    """Cases in a file, for the progress bar only (0 when it cannot tell)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return 0
    if json_array:
        return text.count('"instruction"')
    return sum(1 for line in text.splitlines() if line.strip())


def _finish(
    command: str,
    run: TrialsResult,
    *,
    lines: Iterable[str],
    out: Path,
    result: Path | None,
    data_file: Path,
    figures: Mapping[str, Any],
    started: Any,
    model: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write the run's result file (its path to stderr), then print the report's lines."""
    from shopcrew.evaluation.results import capture_settings, default_result_path, now

    settings = capture_settings(
        command,
        data_file=data_file,
        model=model,
        seed=run.seed,
        trials=run.trials,
        concurrency=run.concurrency,
        time_limit_s=run.time_limit_s,
        started_at=started,
        finished_at=now(),
        extra={key: str(value) for key, value in (extra or {}).items() if value is not None},
    )
    target = result if result is not None else default_result_path(out)
    run.to_result(settings, figures=figures).write(target)
    err_console.print(f"result file: {target}", markup=False, highlight=False)
    lines = list(lines)
    if model is not None and not any(line.startswith(("model:", "agent ")) for line in lines):
        lines.insert(0, f"model: {model}")
    for line in lines:
        out_console.print(line, markup=False)


@eval_app.command("replay")
def eval_replay(
    tasks: Annotated[Path, typer.Option("--tasks", help="Task file (τ-bench JSON array).")],
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
    from shopcrew.evaluation.results import now
    from shopcrew.evaluation.tau.adapter_replay import PlatformReplay
    from shopcrew.evaluation.tau.replay import load_expected, load_tasks, run_replay
    from shopcrew.tools.reference.store import RetailStore

    started = now()
    task_list = load_tasks(tasks)
    oracle = load_expected(expected) if expected is not None else None
    store = RetailStore.load(db)
    remote = PlatformReplay(platform_mcp, platform=platform) if platform_mcp else None
    with _progress("replay", len(task_list) * trials) as advance:
        replayed = run_replay(
            store,
            task_list,
            expected=oracle,
            trials=trials,
            seed=seed,
            concurrency=1 if remote is not None else concurrency,  # one store on the server
            time_limit_s=time_limit,
            on_result=advance,
            replay=remote,
            as_json=remote is not None,
        )
    if remote is not None:
        remote.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as sink:
        for replayed_task in replayed.results:
            sink.write(replayed_task.to_json_line() + "\n")
    logger.info("wrote %d results to %s", len(replayed.results), out)
    _finish(
        "replay",
        replayed.run,
        lines=replayed.lines(out),
        out=out,
        result=result,
        data_file=tasks,
        figures=replayed.figures(),
        started=started,
        extra={"db": db, "expected": expected, "out": out, "platform_mcp": platform_mcp},
    )
    if replayed.mismatches:
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
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
    quality: Annotated[
        bool,
        typer.Option(
            "--quality", help="Also count reply-quality issues (ids, repeats, ...) in --out."
        ),
    ] = False,
) -> None:
    """Play the customer-service cases, write transcripts, grade them and print pass rates.

    With --trials k, trial 0's transcripts go to --out and trial N's to OUT.trialN.jsonl; an
    OpenAI-compatible model gets each trial's seed, the rules model is deterministic. With
    --quality, the reply-quality counts of trial 0's transcripts are printed before the
    summary line and written to the result file under "quality".
    """
    from shopcrew.evaluation.cs.quality import check_transcript_file
    from shopcrew.evaluation.cs.run import run_cs_trials
    from shopcrew.evaluation.results import now

    _check_models(model)
    started = now()
    with _progress("cs", _count(cases) * trials) as advance:
        report = run_cs_trials(
            cases,
            db,
            kb,
            model,
            out,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit,
            on_result=advance,
        )
    lines, figures = report.lines(), report.figures()
    if quality:
        checked = check_transcript_file(out, cases=cases, db=db)
        lines = [*lines[:-1], *checked.lines(), lines[-1]]
        figures = {**figures, "quality": checked.figures()}
    _finish(
        "cs",
        report.run,
        lines=lines,
        out=out,
        result=result,
        data_file=cases,
        figures=figures,
        started=started,
        model=report.model,
        extra={"db": db, "kb": kb, "out": out, "model_asked": model},
    )


@eval_app.command("listings")
def eval_listings(
    listings: Annotated[Path, typer.Option("--listings", help="Listings JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL to write: id and defect codes.")],
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
) -> None:
    """Audit every listing (store manager rules); grade when the file carries expected codes.

    The audit is rule-based: with --trials k every trial must agree (the printout says so).
    """
    from shopcrew.evaluation.listings import run_listings_eval
    from shopcrew.evaluation.results import now

    started = now()
    with _progress("listings", _count(listings) * trials) as advance:
        report = run_listings_eval(
            listings,
            out,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit,
            on_result=advance,
        )
    assert report.run is not None
    _finish(
        "listings",
        report.run,
        lines=report.lines(),
        out=out,
        result=result,
        data_file=listings,
        figures=report.figures(),
        started=started,
        model="rules",
        extra={"out": out},
    )


@eval_app.command("markets")
def eval_markets(
    markets: Annotated[Path, typer.Option("--markets", help="Ad markets JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL to write: id and allocation.")],
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
    pass_regret: Annotated[
        float,
        typer.Option("--pass-regret", min=0.0, help="Largest regret of a passing market."),
    ] = 0.05,
) -> None:
    """Allocate each market's daily budget (marketing planner); grade markets with truth.

    A market passes (for pass^k) with no violation and regret at most --pass-regret. The
    planner is deterministic: with --trials k every trial must agree (the printout says so).
    """
    from shopcrew.evaluation.markets import run_markets_eval
    from shopcrew.evaluation.results import now

    started = now()
    with _progress("markets", _count(markets) * trials) as advance:
        report = run_markets_eval(
            markets,
            out,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit,
            pass_regret=pass_regret,
            on_result=advance,
        )
    assert report.run is not None
    _finish(
        "markets",
        report.run,
        lines=report.lines(),
        out=out,
        result=result,
        data_file=markets,
        figures=report.figures(),
        started=started,
        model="rules",
        extra={"out": out, "pass_regret": pass_regret},
    )


@eval_app.command("demand")
def eval_demand(
    markets: Annotated[Path, typer.Option("--markets", help="Demand markets JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL to write: one answer per market.")],
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="Truth JSONL; with it the answers are graded."),
    ] = None,
    details: Annotated[
        int, typer.Option("--details", min=0, help="Markets listed in the report.")
    ] = 10,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every figure per market (JSON).")
    ] = None,
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
) -> None:
    """Forecast and pre-position each market (demand planner); grade with --truth.

    Prints DEMAND_FORMAT.md's figures from our own grader. Exit 2 on unreadable or
    malformed input (a market, truth or answer line off the format).
    """
    from shopcrew.errors import DemandFileError
    from shopcrew.evaluation.demand.run import run_demand_eval
    from shopcrew.evaluation.results import now

    started = now()
    try:
        with _progress("demand", _count(markets) * trials) as advance:
            report = run_demand_eval(
                markets,
                out,
                truth_path=truth,
                trials=trials,
                seed=seed,
                concurrency=concurrency,
                time_limit_s=time_limit,
                details=details,
                json_out=json_out,
                on_result=advance,
            )
    except DemandFileError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    _finish(
        "demand",
        report.run,
        lines=report.lines(),
        out=out,
        result=result,
        data_file=markets,
        figures=report.figures(),
        started=started,
        model="rules",
        extra={"out": out, "truth": truth},
    )


@eval_app.command("compare")
def eval_compare(
    before: Annotated[Path, typer.Argument(help="Result JSON of the earlier run (A).")],
    after: Annotated[Path, typer.Argument(help="Result JSON of the later run (B).")],
    alpha: Annotated[
        float,
        typer.Option("--alpha", min=0.0, max=1.0, help="Significance level of the tests."),
    ] = 0.05,
    fail_on_regression: Annotated[
        bool,
        typer.Option("--fail-on-regression", help="Exit 1 when B is significantly worse."),
    ] = False,
) -> None:
    """Compare two result files case by case: better, worse, unchanged, and is it noise."""
    from shopcrew.evaluation.compare import compare_files

    comparison = compare_files(before, after, alpha=alpha)
    for line in comparison.lines():
        out_console.print(line, markup=False)
    if fail_on_regression and comparison.significant_regression:
        raise typer.Exit(1)


@eval_app.command("tau")
def eval_tau(
    tasks: Annotated[Path, typer.Option("--tasks", help="Task file (τ-bench JSON array).")],
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
    from shopcrew.evaluation.results import now
    from shopcrew.evaluation.tau.run import run_tau_eval

    _check_models(model, *([] if user_model == "offline" else [user_model]))
    started = now()
    with _progress("tau", _count(tasks, json_array=True) * trials) as advance:
        report = run_tau_eval(
            tasks,
            db,
            model=model,
            user_model=user_model,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit,
            max_turns=max_turns,
            out=out,
            on_result=advance,
        )
    target = result or (None if out is not None else Path(f"{tasks.stem}.tau.result.json"))
    _finish(
        "tau",
        report.trials,
        lines=report.lines(),
        out=out or tasks,
        result=target,
        data_file=tasks,
        figures=report.figures(),
        started=started,
        model=report.agent_model,
        extra={
            "db": db,
            "user_model": report.user_model,
            "model_asked": model,
            "user_model_asked": user_model,
            "out": out,
            "max_turns": max_turns,
        },
    )


@eval_app.command("shopping")
def eval_shopping(
    cases: Annotated[Path, typer.Option("--cases", help="Shopping case file (SHOPPING_FORMAT).")],
    db: Annotated[Path, typer.Option("--db", help="τ-bench retail store directory.")],
    out: Annotated[Path, typer.Option("--out", help="Answers JSONL to write.")],
    model: Annotated[
        str, typer.Option("--model", help="'rules' or 'openai:<name>' (OPENAI_BASE_URL/KEY).")
    ] = "rules",
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
) -> None:
    """Play the shopping-guide cases, write answers, grade them and print the figures.

    With --trials k, trial 0's answers go to --out and trial N's to OUT.trialN.jsonl.
    """
    from shopcrew.evaluation.results import now
    from shopcrew.evaluation.shopping.run import run_shopping_trials

    _check_models(model)
    started = now()
    with _progress("shopping", _count(cases) * trials) as advance:
        report = run_shopping_trials(
            cases,
            db,
            model,
            out,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit,
            on_result=advance,
        )
    _finish(
        "shopping",
        report.run,
        lines=report.lines(),
        out=out,
        result=result,
        data_file=cases,
        figures=report.figures(),
        started=started,
        model=report.model,
        extra={"db": db, "out": out},
    )
