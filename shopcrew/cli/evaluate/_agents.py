"""`shopcrew eval cs` and `shopcrew eval shopping`: the agents that talk with customers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopcrew.cli._app import eval_app
from shopcrew.cli._options import (
    ConcurrencyOption,
    ModelOption,
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
    from shopcrew.evaluation.cs.run import CsTrialsReport
    from shopcrew.evaluation.shopping.run import ShoppingTrialsReport

__all__ = ["eval_cs", "eval_shopping"]

DbOption = Annotated[Path, typer.Option("--db", help="τ-bench retail store directory.")]


@eval_app.command("cs")
def eval_cs(
    cases: Annotated[Path, typer.Option("--cases", help="CS case file (CS_FORMAT.md).")],
    db: DbOption,
    out: Annotated[Path, typer.Option("--out", help="Transcripts JSONL to write.")],
    kb: Annotated[
        Path | None, typer.Option("--kb", help="Knowledge base JSONL; the shipped one if unset.")
    ] = None,
    model: ModelOption = "rules",
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

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[CsTrialsReport]:
        report = run_cs_trials(cases, db, kb, model, out, **options, on_result=advance)
        lines, figures = report.lines(), report.figures()
        if quality:
            checked = check_transcript_file(out, cases=cases, db=db)
            lines = [*lines[:-1], *checked.lines(), lines[-1]]
            figures = {**figures, "quality": checked.figures()}
        return Outcome(report, report.run, lines, figures, model=report.model)

    run_eval(
        "cs",
        play,
        total=count_cases(cases) * trials,
        data_file=cases,
        out=out,
        result=result,
        extra={"db": db, "kb": kb, "out": out, "model_asked": model},
        models=(model,),
    )


@eval_app.command("shopping")
def eval_shopping(
    cases: Annotated[Path, typer.Option("--cases", help="Shopping case file (SHOPPING_FORMAT).")],
    db: DbOption,
    out: Annotated[Path, typer.Option("--out", help="Answers JSONL to write.")],
    model: ModelOption = "rules",
    trials: TrialsOption = 1,
    seed: SeedOption = 0,
    concurrency: ConcurrencyOption = 1,
    time_limit: TimeLimitOption = None,
    result: ResultOption = None,
) -> None:
    """Play the shopping-guide cases, write answers, grade them and print the figures.

    With --trials k, trial 0's answers go to --out and trial N's to OUT.trialN.jsonl.
    """
    from shopcrew.evaluation.shopping.run import run_shopping_trials

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[ShoppingTrialsReport]:
        report = run_shopping_trials(cases, db, model, out, **options, on_result=advance)
        return Outcome(report, report.run, report.lines(), report.figures(), model=report.model)

    run_eval(
        "shopping",
        play,
        total=count_cases(cases) * trials,
        data_file=cases,
        out=out,
        result=result,
        extra={"db": db, "out": out},
        models=(model,),
    )
