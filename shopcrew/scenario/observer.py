"""`RunObserver`: what the engine tells a progress display while a scenario runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["TALLY_KEYS", "NullObserver", "RunObserver"]

TALLY_KEYS: tuple[str, ...] = (
    "done",
    "waiting",
    "escalations",
    "approvals_waiting",
    "violations",
    "agent:cs_agent",
    "agent:store_manager",
    "agent:planner",
    "agent:human",
    "agent:system",
)
"""The keys of the `tally` passed to `RunObserver.event_done`."""


class RunObserver(Protocol):
    """Follows a run: its start, each event as it finishes, and the final report."""

    def started(self, scenario: str, total_events: int) -> None:
        """The run starts with `total_events` events to play."""
        ...

    def event_done(self, record: Mapping[str, Any], tally: Mapping[str, int]) -> None:
        """One event finished; `record` is its item of report["events"], `tally` the counts."""
        ...

    def finished(self, report: Mapping[str, Any]) -> None:
        """The run ended; `report` is the whole report.json dict."""
        ...


class NullObserver:
    """An observer that shows nothing."""

    def started(self, scenario: str, total_events: int) -> None:
        """Ignore the start."""

    def event_done(self, record: Mapping[str, Any], tally: Mapping[str, int]) -> None:
        """Ignore the event."""

    def finished(self, report: Mapping[str, Any]) -> None:
        """Ignore the end."""
