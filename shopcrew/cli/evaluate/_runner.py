"""The one runner of every `shopcrew eval <kind>`: check models, play under a progress bar, finish.

Each subcommand reads its options, hands `run_eval` a `play` step that runs its evaluation (and
writes its own output files), and gets back what it returned; the runner writes the result file
and prints the report's lines the same way for every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopcrew.cli._app import err_console, out_console

if TYPE_CHECKING:
    from datetime import datetime

    from shopcrew.evaluation.harness import CaseResult, TrialsResult

__all__ = ["OnResult", "Outcome", "TrialOptions", "count_cases", "run_eval"]

OnResult = Callable[["CaseResult"], None]
"""The harness's per-case callback; the runner's advances the progress bar."""

ReportT = TypeVar("ReportT")


class TrialOptions(TypedDict):
    """The harness settings every evaluation's `run_*` function takes by keyword."""

    trials: int
    seed: int
    concurrency: int
    time_limit_s: float | None


@dataclass(frozen=True, slots=True)
class Outcome(Generic[ReportT]):
    """What a subcommand's `play` step hands back to the runner."""

    report: ReportT
    """The evaluation's own report, for a subcommand that decides its exit code from it."""

    run: TrialsResult
    """The trials the harness ran (seed, trials, concurrency, time limit, case results)."""
    lines: Sequence[str]
    """The report, printed to stdout one line each."""
    figures: Mapping[str, Any]
    """The report's figures, written to the result file."""
    model: str | None = None
    """The model the run used; printed first unless a line already names it."""
    extra: Mapping[str, object] = field(default_factory=dict)
    """Settings known only once the run is over; they replace `run_eval`'s `extra` of that key."""


def run_eval(
    command: str,
    play: Callable[[OnResult], Outcome[ReportT]],
    *,
    total: int,
    data_file: Path,
    out: Path,
    result: Path | None,
    extra: Mapping[str, object] | None = None,
    models: Sequence[str] = (),
) -> Outcome[ReportT]:
    """Run one evaluation subcommand from its model check to its printed report.

    Args:
        command: The subcommand's name (`cs`, `tau`...): the progress label and the result's.
        play: Runs the evaluation with the progress callback and returns its outcome.
        total: Cases times trials, for the progress bar (0 when unknown).
        data_file: The evaluation data the run read, recorded in the result file.
        out: The output file; the result file goes next to it unless `result` is given.
        result: The result file to write, if the user named one.
        extra: Further settings for the result file (None values are left out).
        models: Model specs to resolve before any data is read.

    Returns:
        The outcome `play` returned, once its result file is written and its lines printed.

    Raises:
        ModelEndpointError: `openai:NAME` with neither OPENAI_API_KEY nor OPENAI_BASE_URL.
    """
    from shopcrew.evaluation.results import now

    _check_models(*models)
    started = now()
    with _progress(command, total) as advance:
        outcome = play(advance)
    _finish(
        command,
        outcome,
        out=out,
        result=result,
        data_file=data_file,
        started=started,
        extra={**(extra or {}), **outcome.extra},
    )
    return outcome


def count_cases(path: Path, *, json_array: bool = False) -> int:
    """Cases in a file, for the progress bar only (0 when it cannot tell)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return 0
    if json_array:
        return text.count('"instruction"')
    return sum(1 for line in text.splitlines() if line.strip())


@contextmanager
def _progress(label: str, total: int) -> Iterator[OnResult]:
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
    """Resolve each model spec before any data is read: a model without an endpoint stops here."""
    from shopcrew.models import resolve_model

    for spec in specs:
        resolve_model(spec)


def _finish(
    command: str,
    outcome: Outcome[Any],
    *,
    out: Path,
    result: Path | None,
    data_file: Path,
    started: datetime,
    extra: Mapping[str, object],
) -> None:
    """Write the run's result file (its path to stderr), then print the report's lines."""
    from shopcrew.evaluation.results import capture_settings, default_result_path, now

    run = outcome.run
    settings = capture_settings(
        command,
        data_file=data_file,
        model=outcome.model,
        seed=run.seed,
        trials=run.trials,
        concurrency=run.concurrency,
        time_limit_s=run.time_limit_s,
        started_at=started,
        finished_at=now(),
        extra={key: str(value) for key, value in extra.items() if value is not None},
    )
    target = result if result is not None else default_result_path(out)
    run.to_result(settings, figures=outcome.figures).write(target)
    err_console.print(f"result file: {target}", markup=False, highlight=False)
    lines = list(outcome.lines)
    model = outcome.model
    if model is not None and not any(line.startswith(("model:", "agent ")) for line in lines):
        lines.insert(0, f"model: {model}")
    for line in lines:
        out_console.print(line, markup=False)
