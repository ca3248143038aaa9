"""`shopcrew eval compare`: two result files, case by case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopcrew.cli._app import eval_app, out_console

__all__ = ["eval_compare"]


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
