"""What a run produced, gathered while it runs: its conversations, audits, reviews and plans.

`_report_build.build_report` turns it into report.json.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shopcrew.scenario.goal import OUTCOMES, GoalSpec, GoalVerdict
from shopcrew.scenario.timeline import Step
from shopcrew.scenario.world import World
from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS

__all__ = [
    "ConversationLog",
    "RunLog",
    "effective_budgets",
    "goal_figures",
    "percentile",
]


@dataclass
class ConversationLog:
    """One customer conversation as the run saw it."""

    id: str
    thread_id: str
    first_event: str
    template: str | None
    lang: str | None
    goal: GoalSpec | None = None
    """What the customer wants (the first of its messages that says)."""
    turns: int = 0
    seen: int = 0
    """Messages of the thread already summarised."""
    replies: list[dict[str, Any]] = field(default_factory=list)
    writes: list[dict[str, Any]] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)
    escalated: bool = False
    waiting_person: bool = False
    reason: str | None = None
    escalated_at: str | None = None
    queued: list[str] = field(default_factory=list)
    """Customer messages that arrived while the conversation waited for a person."""
    human_replies: int = 0
    problems: int = 0
    """Policy breaches among its writes, as last checked during the run."""

    def absorb(self, event_id: str, new: Mapping[str, Any]) -> None:
        """Keep one event's replies, successful writes and refused calls."""
        self.replies += [{**reply, "event_id": event_id} for reply in new["replies"]]
        for call in new["tool_calls"]:
            if call.get("blocked"):
                self.blocked.append({**call, "event_id": event_id})
            elif call["ok"] and call["name"] in RETAIL_WRITE_TOOLS:
                self.writes.append({**call, "event_id": event_id})

    def escalate(self, step: Step, ticket: Mapping[str, Any]) -> None:
        """The conversation went to a person."""
        if not self.escalated:
            self.escalated_at = step.at.isoformat()
            self.reason = str(ticket.get("reason") or "other")
        self.escalated = self.waiting_person = True


@dataclass
class RunLog:
    """Everything the events produced, for the report."""

    conversations: dict[str, ConversationLog] = field(default_factory=dict)
    audits: list[list[dict[str, Any]]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    demand_plans: list[dict[str, Any]] = field(default_factory=list)
    """The demand planner's reports, one per planning tick (updated as approvals land)."""
    order_writes: set[str] = field(default_factory=set)
    """Orders the scenario itself changed (order events with `apply_status`)."""
    listing_edits: set[str] = field(default_factory=set)
    agent_counts: Counter[str] = field(default_factory=Counter)
    live_violations: int = 0

    def conversation(self, conversation_id: str, thread_id: str, step: Step) -> ConversationLog:
        """The conversation's log, opened at its first message."""
        if conversation_id not in self.conversations:
            self.conversations[conversation_id] = ConversationLog(
                id=conversation_id,
                thread_id=thread_id,
                first_event=step.id,
                template=step.template,
                lang=step.lang,
                goal=step.goal,
            )
        found = self.conversations[conversation_id]
        if found.goal is None and step.goal is not None:
            found.goal = step.goal
        return found

    def count(self, step: Step, outcome: str) -> None:
        """Count a finished event for its agent."""
        self.agent_counts[f"agent:{step.agent}"] += 1
        if outcome == "error":
            self.agent_counts["errors"] += 1


def effective_budgets(world: World) -> dict[str, float]:
    """Each campaign's daily budget as spent: a paused campaign spends nothing."""
    return {
        c.id: c.current_budget() if c.status == "active" else 0.0
        for c in world.adapters.ads.list_campaigns()
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile (`q` in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


def goal_figures(verdicts: Iterable[GoalVerdict]) -> dict[str, Any]:
    """Conversations per verdict, handovers split by need, and the causes of the failures."""
    found = list(verdicts)
    counts = Counter(v.outcome for v in found)
    causes = Counter(v.cause for v in found if v.outcome == "not_resolved")
    handed = [v for v in found if v.outcome == "handed_over"]
    return {
        **{outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
        "handed_over_needed": sum(v.needed is True for v in handed),
        "handed_over_not_needed": sum(v.needed is False for v in handed),
        "not_resolved_causes": dict(causes.most_common()),
    }
