"""`RichProgress`: the live display of a scenario run in a terminal (a `RunObserver`).

The engine calls `event_done` once per event, so it only stores the latest tally; rich's `Live`
redraws from a background thread a few times a second. When the console is not a terminal (logs,
CI) nothing is drawn per event: one line when the run starts and one when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from shopcrew.closing import Closing

__all__ = ["RichProgress"]

logger = logging.getLogger(__name__)

_AGENTS = ("cs_agent", "store_manager", "planner", "human", "system")
_DETAIL_CHARS = 60


class RichProgress(Closing):
    """A live display of a run: events done and waiting, work per agent, and what needs a person.

    Below the progress bar: escalations, approvals waiting, and policy violations (red when
    any). Use it as a context manager so the display stops even when the run raises:

    ```python
    with RichProgress(err_console) as progress:
        report = run_scenario(path, observer=progress)
    ```

    Args:
        console: Where to draw; stderr by default, so stdout stays for the report.
        refresh_per_second: How often the live display redraws (the run never waits on it).
    """

    def __init__(self, console: Console | None = None, *, refresh_per_second: float = 8.0) -> None:
        self.console = console or Console(stderr=True)
        self._live_mode = self.console.is_terminal and not self.console.is_dumb_terminal
        self._refresh = refresh_per_second
        self._scenario = ""
        self._total = 0
        self._tally: Mapping[str, int] = {}
        self._last: Mapping[str, Any] = {}
        self._verdict: bool | None = None
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✔[/]"),
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("events"),
            TimeElapsedColumn(),
            console=self.console,
            auto_refresh=False,
            expand=True,
        )
        self._task: TaskID | None = None
        self._live: Live | None = None

    def started(self, scenario: str, total_events: int) -> None:
        """Start the display for `total_events` events of `scenario`."""
        self._scenario, self._total = scenario, total_events
        self._tally, self._last, self._verdict = {}, {}, None
        if not self._live_mode:
            self.console.print(
                f"running scenario {escape(scenario)}: {total_events} events", soft_wrap=True
            )
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(scenario, total=total_events)
        if self._live is None:
            self._live = Live(
                console=self.console,
                get_renderable=self._render,
                refresh_per_second=self._refresh,
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()

    def event_done(self, record: Mapping[str, Any], tally: Mapping[str, int]) -> None:
        """Keep the latest tally; the display picks it up at its next redraw."""
        self._tally, self._last = tally, record

    def finished(self, report: Mapping[str, Any]) -> None:
        """Draw the final state (or print the closing line) and stop the display."""
        passed = report.get("passed")
        self._verdict = passed if isinstance(passed, bool) else None
        if self._task is not None:
            done = self._tally.get("done", self._total)
            self._progress.update(self._task, completed=done, total=max(self._total, done))
        if not self._live_mode:
            self.console.print(self._closing_line(), highlight=False, soft_wrap=True)
        self.close()

    def close(self) -> None:
        """Stop the live display, drawing its last frame; safe to call twice."""
        live, self._live = self._live, None
        if live is not None:
            live.stop()

    def _closing_line(self) -> str:
        verdict = {True: "passed", False: "FAILED", None: "finished"}[self._verdict]
        done = self._tally.get("done", 0)
        return (
            f"scenario {escape(self._scenario)} {verdict}: {done}/{self._total} events, "
            f"{self._tally.get('escalations', 0)} escalations, "
            f"{self._tally.get('approvals_waiting', 0)} approvals waiting, "
            f"{self._tally.get('violations', 0)} violations"
        )

    def _render(self) -> RenderableType:
        tally = dict(self._tally)  # the run thread may replace it while we draw
        if self._task is not None:
            self._progress.update(self._task, completed=tally.get("done", 0))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True, min_width=8)
        grid.add_column(no_wrap=True, overflow="ellipsis")  # a fixed height: no flicker
        grid.add_row("waiting", f"{tally.get('waiting', self._total)} events")
        grid.add_row("agents", _agents(tally))
        grid.add_row("outcomes", _outcomes(tally))
        if self._last:
            grid.add_row("last", _last_event(self._last))
        if self._verdict is not None:
            grid.add_row(
                "verdict",
                Text("passed", style="bold green")
                if self._verdict
                else Text("FAILED: see the report", style="bold red"),
            )
        return Group(self._progress, grid)


def _agents(tally: Mapping[str, int]) -> Text:
    names = [a for a in _AGENTS if f"agent:{a}" in tally] + sorted(
        key[6:] for key in tally if key.startswith("agent:") and key[6:] not in _AGENTS
    )
    text = Text()
    for index, name in enumerate(names or _AGENTS):
        if index:
            text.append(" · ", style="dim")
        text.append(name.replace("_", " "))
        text.append(f" {tally.get(f'agent:{name}', 0)}", style="bold")
    return text


def _outcomes(tally: Mapping[str, int]) -> Text:
    escalations = tally.get("escalations", 0)
    approvals = tally.get("approvals_waiting", 0)
    violations = tally.get("violations", 0)
    text = Text()
    text.append(f"{escalations} escalations", style="bold yellow" if escalations else "")
    text.append(" · ", style="dim")
    text.append(f"{approvals} approvals waiting", style="bold cyan" if approvals else "")
    text.append(" · ", style="dim")
    text.append(f"{violations} violations", style="bold red" if violations else "green")
    return text


def _last_event(record: Mapping[str, Any]) -> Text:
    detail = " ".join(str(record.get("detail") or "").split())
    if len(detail) > _DETAIL_CHARS:
        detail = detail[: _DETAIL_CHARS - 1] + "…"
    at = str(record.get("at") or "")
    text = Text()
    if len(at) >= 16:
        text.append(f"{at[11:16]} ", style="cyan")  # the simulated clock
    text.append(f"{record.get('kind', '?')} → {record.get('outcome', '?')}")
    text.append(f" ({record.get('agent', '?')})", style="dim")
    if detail:
        text.append(f" {detail}")
    return text
