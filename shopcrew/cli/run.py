"""`shopcrew run SCENARIO`: play a merchant's day through the crew and report on it.

`shopcrew scenarios` (or `shopcrew run --list`) lists the scenarios bundled with the package.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcrew.cli._app import app, err_console, out_console

__all__ = ["list_scenarios", "run"]


def _progress() -> AbstractContextManager[Any]:
    """The live display of `shopcrew.scenario.progress`, or nothing when it is absent."""
    try:
        from shopcrew.scenario.progress import RichProgress
    except ImportError:
        return nullcontext(None)
    progress: AbstractContextManager[Any] = RichProgress(err_console)
    return progress


def _summary(report: dict[str, Any]) -> Table:
    summary = report["summary"]
    table = Table(title=report["scenario"]["title"], show_header=False, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rate = summary["resolution_rate"]
    goals = summary["goals"]
    approvals = summary["approvals"]
    latency = summary["latency_ms"]
    cost = summary["cost_usd"]
    rows = [
        ("events", str(summary["events"])),
        ("conversations", str(summary["conversations"])),
        ("resolved (goal met, no person)", "n/a" if rate is None else f"{rate:.1%}"),
        (
            "handed to a person",
            f"{goals['handed_over']} ({goals['handed_over_needed']} needed, "
            f"{goals['handed_over_not_needed']} not needed)",
        ),
        ("NOT resolved (goal unmet)", str(goals["not_resolved"])),
        *([("no goal given (not judged)", str(goals["no_goal"]))] if goals["no_goal"] else []),
        ("policy violations", str(summary["violations"])),
        ("blocked attempts", str(summary["blocked_attempts"])),
        (
            "approvals",
            f"{approvals['requested']} asked, {approvals['approved']} approved, "
            f"{approvals['rejected']} rejected, {approvals['pending']} pending",
        ),
        ("budget moved", f"{summary['budget_moved']:.2f}"),
        ("expected GMV change", f"{summary['expected_gmv_change']:+.2f}"),
        (
            "listing defects",
            f"{summary['listing_defects_found']} found, {summary['listing_defects_fixed']} fixed",
        ),
        ("latency p50 / p95", f"{latency['p50']} / {latency['p95']} ms"),
        (
            "tokens",
            f"{summary['tokens']['input']} in, {summary['tokens']['output']} out"
            + ("" if cost is None else f", ${cost:.4f}"),
        ),
        ("run time", f"{report['scenario']['duration_s']:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


@app.command("scenarios")
def list_scenarios() -> None:
    """List the bundled scenarios: `shopcrew run NAME` plays one from any directory."""
    from shopcrew.data import scenario_path, scenarios
    from shopcrew.scenario import load_scenario

    for name in scenarios():
        out_console.print(f"{name:<24} {load_scenario(scenario_path(name)).title}", markup=False)


@app.command("run")
def run(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="A bundled scenario's name (e.g. double11_peak_hour; see --list) or the path "
            "of a scenario YAML file.",
            show_default=False,
        ),
    ] = None,
    list_bundled: Annotated[
        bool, typer.Option("--list", help="List the bundled scenarios and exit.")
    ] = False,
    model: Annotated[
        str, typer.Option("--model", help="The CS agent's model: rules or openai:NAME.")
    ] = "rules",
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="Run on Redis at this URL, or 'spawn' to start a private redis-server "
            "(default: in memory).",
        ),
    ] = None,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Keep the run's Redis keys (default: delete them)."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Report directory (default: reports/<scenario name>/)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Generator seed (default: the scenario's).")
    ] = None,
    volume: Annotated[
        float,
        typer.Option(
            "--volume", min=0.001, help="Scale the generated conversations (0.1: a quick try)."
        ),
    ] = 1.0,
) -> None:
    """Run a scenario; exit 1 when an expectation fails (the report says which and why)."""
    if list_bundled:
        list_scenarios()
        return
    if scenario is None:
        raise typer.BadParameter("name a scenario, or list the bundled ones with --list")
    played, out_dir = _play(
        scenario, model=model, redis=redis, keep=keep, seed=seed, volume=volume, report=report
    )
    if _print_outcome(played, out_dir):
        raise typer.Exit(1)


def _play(
    scenario: str,
    *,
    model: str,
    redis: str | None,
    keep: bool,
    seed: int | None,
    volume: float,
    report: Path | None,
) -> tuple[dict[str, Any], Path]:
    """Run the scenario under the progress display; its report, and the report's directory."""
    from shopcrew.scenario import find_scenario, load_scenario, run_scenario

    path = find_scenario(scenario)
    spec = load_scenario(path)
    out_dir = report if report is not None else Path("reports") / spec.name
    with _progress() as progress:
        result = run_scenario(
            path,
            model=model,
            redis_url=redis,
            keep_memory=keep,
            seed=seed,
            volume=volume,
            out_dir=out_dir,
            observer=progress,
        )
    return result.report, out_dir


def _print_outcome(report: dict[str, Any], out_dir: Path) -> int:
    """Print the summary, each expectation and where the report is; the failures' count."""
    out_console.print(_summary(report))
    failed = [e for e in report["expectations"] if not e["passed"]]
    for item in report["expectations"]:
        mark = "[green]PASS[/green]" if item["passed"] else "[red]FAIL[/red]"
        out_console.print(f"{mark} {item['name']}: {item['detail']}")
    where = out_dir / ("report.md" if (out_dir / "report.md").exists() else "report.json")
    out_console.print(f"report: {where}")
    namespace = report["scenario"].get("redis_namespace")
    if namespace:
        out_console.print(f"Redis keys kept under namespace {namespace}")
    if failed:
        out_console.print(f"[red]{len(failed)} expectation(s) failed[/red]")
    return len(failed)
