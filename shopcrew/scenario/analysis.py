"""What a run produced, gathered while it runs, and the figures of report.json built from it."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage

from shopcrew.agents.approvals.queue import ApprovalQueue
from shopcrew.models.usage import UsageRecorder, total
from shopcrew.scenario._owner_facts import escalation_entry, names, review_entry
from shopcrew.scenario._provenance import package_version, source_commit
from shopcrew.scenario.expectations import Facts, check_expectations
from shopcrew.scenario.goal import OUTCOMES, GoalSpec, GoalVerdict, judge_goal
from shopcrew.scenario.shopping_report import shopping_figures
from shopcrew.scenario.spec import Scenario
from shopcrew.scenario.timeline import Step
from shopcrew.scenario.violations import find_violations
from shopcrew.scenario.world import World
from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS

__all__ = [
    "ConversationLog",
    "RunLog",
    "build_report",
    "effective_budgets",
    "goal_figures",
    "percentile",
]

_GMV_CHANGE = re.compile(r"Expected GMV [-\d.]+ -> [-\d.]+ \(([-+]?\d+(?:\.\d+)?)\)")


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


def _gmv_change(review: Mapping[str, Any]) -> float:
    found = _GMV_CHANGE.search(str(review.get("explanation", "")))
    return float(found.group(1)) if found else 0.0


def build_report(
    scenario: Scenario,
    log: RunLog,
    *,
    world: World,
    queue: ApprovalQueue,
    records: list[dict[str, Any]],
    budgets_before: Mapping[str, float],
    usage: UsageRecorder,
    meta: dict[str, Any],
    thread_messages: Mapping[str, Sequence[BaseMessage]] | None = None,
) -> dict[str, Any]:
    """The report.json dict (see SCENARIO_CONTRACT.md) with the expectations checked."""
    conversations = list(log.conversations.values())
    escalated = [c for c in conversations if c.escalated]
    errored = {r["thread_id"] for r in records if r["outcome"] == "error" and r["thread_id"]}
    answered = [c for c in conversations if any(r["by"] != "human_agent" for r in c.replies)]
    not_escalated = [c for c in answered if not c.escalated and c.thread_id not in errored]
    verdicts = {c.id: _judge(c, errored=c.thread_id in errored) for c in conversations}
    goals = goal_figures(verdicts.values())
    resolved = goals["resolved"]
    rate = round(resolved / len(conversations), 4) if conversations else None

    violations = find_violations(log, world, queue, thread_messages or {}, budgets_before)
    blocked = _blocked_attempts(conversations)
    approvals = _approval_rows(queue)
    approval_counts = Counter(a["status"] for a in approvals)
    after = effective_budgets(world)
    moved = sum(max(0.0, after.get(k, 0.0) - v) for k, v in budgets_before.items())
    gmv = _approved_gmv_change(log, approvals)
    found, fixed, latest_codes = _defects(log.audits)
    totals = total(usage.runs)
    messages = thread_messages or {}
    escalations = [escalation_entry(c, messages.get(c.id, ())) for c in escalated]
    reasons = Counter(c.reason or "other" for c in escalated)

    report: dict[str, Any] = {
        "scenario": {
            **meta,
            "currency": scenario.policy.currency,
            "commit": source_commit(),
            "shopcrew_version": package_version(),
        },
        "names": names(world, [str(e["customer_id"]) for e in escalations if e["customer_id"]]),
        "passed": True,
        "summary": {
            "events": len(records),
            "conversations": len(conversations),
            "customer_messages": sum(c.turns for c in conversations),
            "resolved_without_person": resolved,
            "resolution_rate": rate,
            "goals": goals,
            "answered_without_person": len(not_escalated),
            "escalations": len(escalated),
            "violations": len(violations),
            "blocked_attempts": len(blocked),
            "writes": sum(len(c.writes) for c in conversations),
            "errors": sum(r["outcome"] == "error" for r in records),
            "approvals": {
                status: approval_counts.get(status, 0)
                for status in ("approved", "rejected", "pending", "expired")
            }
            | {"requested": len(approvals)},
            "budget_moved": round(moved, 2),
            "expected_gmv_change": round(gmv, 2),
            "listing_defects_found": sum(len(x["codes"]) for x in found),
            "listing_defects_fixed": sum(len(x["codes"]) for x in fixed),
            "latency_ms": _latency(records),
            "tokens": {"input": totals.input_tokens, "output": totals.output_tokens},
            "model_calls": totals.runs,
            "cost_usd": None if totals.cost_usd is None else float(totals.cost_usd),
        },
        "funnel": {
            "conversations": len(conversations),
            "answered_by_agent": len(answered),
            "answered_without_person": len(not_escalated),
            "resolved_without_person": resolved,
            "handed_over": goals["handed_over"],
            "not_resolved": goals["not_resolved"],
            "no_goal": goals["no_goal"],
            "escalated": len(escalated),
        },
        "escalations": escalations,
        "escalation_reasons": dict(reasons.most_common()),
        "violations": violations,
        "blocked_attempts": blocked,
        "approvals": approvals,
        "budgets": {
            "before": dict(budgets_before),
            "after": after,
            "paused": [c.id for c in world.adapters.ads.list_campaigns() if c.status == "paused"],
        }
        if budgets_before
        else {},
        "budget_reviews": [review_entry(r, approvals, _gmv_change(r)) for r in log.reviews],
        "demand_plans": [dict(r) for r in log.demand_plans],
        "listings": {"defects_found": found, "defects_fixed": fixed},
        "conversations": [_conversation_row(c, verdicts[c.id]) for c in conversations],
        "events": records,
    }
    facts = Facts(
        report=report,
        world=world,
        conversations=log.conversations,
        latest_codes=latest_codes,
    )
    if scenario.shopping_guide:
        langs = {cid: conv.lang for cid, conv in log.conversations.items()}
        report["shopping"] = shopping_figures(thread_messages or {}, langs=langs)
    expectations = check_expectations(scenario.expect, facts)
    report["expectations"] = expectations
    report["passed"] = all(e["passed"] for e in expectations)
    return report


def _blocked_attempts(conversations: Sequence[ConversationLog]) -> list[dict[str, Any]]:
    """Each write the guard refused, with its conversation."""
    return [
        {
            "event_id": b["event_id"],
            "conversation_id": c.id,
            "detail": f"{b['name']} attempted and blocked: {str(b['result'])[:160]}",
        }
        for c in conversations
        for b in c.blocked
    ]


def _approval_rows(queue: ApprovalQueue) -> list[dict[str, Any]]:
    """Each approval request with its status at the end of the run."""
    now = queue.clock()
    rows = []
    for record in queue.records():
        request = record.request
        rows.append(
            {
                "id": request.id,
                "kind": request.action,
                "requested_by": request.requested_by,
                "summary": request.reason.splitlines()[0] if request.reason else request.action,
                "status": record.status(now),
                "requested_at": request.created_at.isoformat(),
                "decided_at": record.decision.at.isoformat() if record.decision else None,
                "decided_by": request.decided_by,
            }
        )
    return rows


def _approved_gmv_change(log: RunLog, approvals: Sequence[Mapping[str, Any]]) -> float:
    """The expected GMV change of the budget reviews applied at once or approved later."""
    approved_reviews = {
        str(a["id"]).rsplit(":budgets", 1)[0]
        for a in approvals
        if a["kind"] == "set_campaign_budgets" and a["status"] == "approved"
    }
    return sum(
        _gmv_change(r)
        for r in log.reviews
        if r.get("applied") or str(r.get("run_id")) in approved_reviews
    )


def _latency(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """p50 and p95 of the events' latency, in all and by kind of event."""
    by_kind: dict[str, dict[str, float | None]] = {}
    for kind in sorted({str(r["kind"]) for r in records}):
        values = [float(r["latency_ms"]) for r in records if r["kind"] == kind]
        by_kind[kind] = {"p50": percentile(values, 50), "p95": percentile(values, 95)}
    latencies = [float(r["latency_ms"]) for r in records]
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "by_kind": by_kind,
    }


def _conversation_row(c: ConversationLog, verdict: GoalVerdict) -> dict[str, Any]:
    """One conversation of report.json: what was written, and how its goal was judged."""
    return {
        "id": c.id,
        "template": c.template,
        "lang": c.lang,
        "turns": c.turns,
        "writes": [w["name"] for w in c.writes],
        "escalated": c.escalated,
        "reason": c.reason,
        "goal": None if c.goal is None else c.goal.model_dump(exclude_defaults=True),
        "outcome": verdict.outcome,
        "cause": verdict.cause,
        "handover_needed": verdict.needed,
    }


def _judge(conversation: ConversationLog, *, errored: bool) -> GoalVerdict:
    return judge_goal(
        conversation.goal,
        escalated=conversation.escalated,
        writes=[{"name": w["name"], "args": w["args"]} for w in conversation.writes],
        replies=[r["text"] for r in conversation.replies if r["by"] != "human_agent"],
        errored=errored,
    )


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


def _defects(
    audits: Sequence[Sequence[Mapping[str, Any]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, list[str]]]:
    """Defects found (first time a listing's code is seen) and fixed (gone at a later audit)."""
    seen: dict[str, list[str]] = {}
    latest: dict[str, list[str]] = {}
    advice: dict[str, list[str]] = {}
    for audit in audits:
        for listing in audit:
            listing_id, codes = str(listing["listing_id"]), list(listing["codes"])
            known = seen.setdefault(listing_id, [])
            known += [code for code in codes if code not in known]
            latest[listing_id] = codes
            advice[listing_id] = [str(m) for m in listing.get("messages", [])]
    # `messages`: the latest audit's "CODE: what is wrong and how to fix it", one per open defect
    found = [
        {"listing_id": k, "codes": v, "messages": advice.get(k, [])} for k, v in seen.items() if v
    ]
    fixed = [
        {"listing_id": k, "codes": [c for c in v if c not in latest.get(k, [])]}
        for k, v in seen.items()
        if any(c not in latest.get(k, []) for c in v)
    ]
    return found, fixed, latest
