"""The merchant's report of a scenario run: Markdown with PNG charts, from the report.json dict.

`write_report` reads the dict of the scenario contract (`report.json`, written by the engine)
through a lenient view: keys it does not know are ignored and any section may be missing, in which
case the Markdown says so in one line. Figures come from `summary` when present and are otherwise
derived from the detailed sections (funnel, events, approvals, budgets).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopcrew.errors import ReportFormatError
from shopcrew.scenario import charts
from shopcrew.scenario._report_markdown import markdown
from shopcrew.scenario._report_owner import Naming
from shopcrew.scenario._report_view import (
    Budgets,
    Funnel,
    clock_label,
    key_figures,
    parse_report,
    timed_events,
)
from shopcrew.scenario.demand_report import demand_charts, demand_markdown
from shopcrew.scenario.shopping_report import shopping_markdown

__all__ = [
    "ReportFiles",
    "ReportFormatError",
    "render_markdown",
    "write_report",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """The files `write_report` wrote (paths under `out_dir`, as the caller gave it)."""

    out_dir: Path
    markdown: Path
    funnel: Path
    budget: Path
    timeline: Path

    @property
    def charts(self) -> tuple[Path, ...]:
        """The PNG charts relative to `out_dir`, as the Markdown links them."""
        files = (self.funnel, self.budget, self.timeline)
        return tuple(path.relative_to(self.out_dir) for path in files)


def render_markdown(report: Mapping[str, Any]) -> str:
    """Return the Markdown report of a scenario run; charts are linked as `charts/<name>.png`.

    Raises:
        ReportFormatError: A section of `report` has the wrong shape.
    """
    text = markdown(parse_report(report))
    if isinstance(report.get("shopping"), Mapping):
        head, marker, tail = text.partition("## Resolution funnel")
        scenario = report.get("scenario")
        currency = scenario.get("currency") if isinstance(scenario, Mapping) else None
        lines = shopping_markdown(report["shopping"], currency=str(currency or "USD"))
        section = "\n".join(lines) + "\n"
        text = head + section + marker + tail if marker else text + "\n" + section
    return text + demand_markdown(report)


def write_report(report: Mapping[str, Any], out_dir: Path) -> ReportFiles:
    """Write `out_dir/report.md` and its charts `out_dir/charts/{funnel,budget,timeline}.png`.

    The three PNGs are always written (a chart without data says so), so the paths of the
    contract's `artifacts` exist; the Markdown embeds only the charts that have data. Writing the
    same report again gives the same bytes.

    Args:
        report: The report dict of the scenario contract (report.json).
        out_dir: The run's report folder; created when missing.

    Returns:
        The paths written.

    Raises:
        ReportFormatError: A section of `report` has the wrong shape.
    """
    view = parse_report(report)
    f = key_figures(view)
    chart_dir = out_dir / "charts"
    funnel = view.funnel or Funnel(
        conversations=f.conversations,
        answered_by_agent=f.conversations,
        resolved_without_person=f.resolved,
        escalated=f.escalated,
    )
    budgets = view.budgets or Budgets()
    naming = Naming.of(view)
    timed = timed_events(view)
    files = ReportFiles(
        out_dir=out_dir,
        markdown=out_dir / "report.md",
        funnel=charts.funnel_chart(
            chart_dir / "funnel.png",
            conversations=funnel.conversations,
            answered=funnel.answered_by_agent,
            resolved=funnel.resolved_without_person,
            escalated=funnel.escalated,
            not_resolved=funnel.not_resolved,
            no_goal=funnel.no_goal or 0,
        ),
        budget=charts.budget_chart(
            chart_dir / "budget.png",
            before=budgets.before,
            after=budgets.after,
            labels={c: f"{naming.name(c) or c}" for c in {*budgets.before, *budgets.after}},
            symbol=naming.symbol,
        ),
        timeline=charts.timeline_chart(
            chart_dir / "timeline.png",
            [charts.TimedEvent(at, event.kind) for at, event in timed],
            escalations=[at for at, event in timed if event.outcome == "escalated"],
            tz_label=clock_label(view),
        ),
    )
    demand_charts(report, chart_dir)
    files.markdown.write_text(render_markdown(report), encoding="utf-8")
    logger.info("wrote the report of scenario %s to %s", view.scenario.name, files.markdown)
    return files
