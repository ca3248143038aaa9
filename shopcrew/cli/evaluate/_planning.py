"""`shopcrew eval listings`, `markets` and `demand`: the store manager's and the planners' work."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopcrew.cli._app import err_console, eval_app
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
    from shopcrew.evaluation.demand.run import DemandEvalReport
    from shopcrew.evaluation.listings import ListingsReport
    from shopcrew.evaluation.markets import MarketsReport

__all__ = ["eval_demand", "eval_listings", "eval_markets"]

_RULES = "rules"
"""The model these evaluations record: the store manager and the planners are rule-based."""


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

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[ListingsReport]:
        report = run_listings_eval(listings, out, **options, on_result=advance)
        assert report.run is not None
        return Outcome(report, report.run, report.lines(), report.figures(), model=_RULES)

    run_eval(
        "listings",
        play,
        total=count_cases(listings) * trials,
        data_file=listings,
        out=out,
        result=result,
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

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[MarketsReport]:
        report = run_markets_eval(
            markets, out, **options, pass_regret=pass_regret, on_result=advance
        )
        assert report.run is not None
        return Outcome(report, report.run, report.lines(), report.figures(), model=_RULES)

    run_eval(
        "markets",
        play,
        total=count_cases(markets) * trials,
        data_file=markets,
        out=out,
        result=result,
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

    options = TrialOptions(
        trials=trials, seed=seed, concurrency=concurrency, time_limit_s=time_limit
    )

    def play(advance: OnResult) -> Outcome[DemandEvalReport]:
        try:
            report = run_demand_eval(
                markets,
                out,
                truth_path=truth,
                **options,
                details=details,
                json_out=json_out,
                on_result=advance,
            )
        except DemandFileError as exc:
            err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
        return Outcome(report, report.run, report.lines(), report.figures(), model=_RULES)

    run_eval(
        "demand",
        play,
        total=count_cases(markets) * trials,
        data_file=markets,
        out=out,
        result=result,
        extra={"out": out, "truth": truth},
    )
