"""The figures of report.json, built from what a run produced (`analysis.RunLog`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage

from shopcrew.agents.approvals.queue import ApprovalQueue
from shopcrew.models.usage import UsageRecorder, total
from shopcrew.scenario._owner_facts import escalation_entry, names, review_entry
from shopcrew.scenario._provenance import package_version, source_commit
from shopcrew.scenario.analysis import (
    ConversationLog,
    RunLog,
    effective_budgets,
    goal_figures,
    percentile,
)
from shopcrew.scenario.expectations import Facts, check_expectations
from shopcrew.scenario.goal import GoalVerdict, judge_goal
from shopcrew.scenario.shopping_report import shopping_figures
from shopcrew.scenario.spec import Scenario
from shopcrew.scenario.violations import find_violations
from shopcrew.scenario.world import World

__all__ = ["build_report"]

_GMV_CHANGE = re.compile(r"Expected GMV [-\d.]+ -> [-\d.]+ \(([-+]?\d+(?:\.\d+)?)\)")


@dataclass(frozen=True, slots=True)
class _Outcomes:
    """The run's conversations, sorted by what became of them."""

    conversations: list[ConversationLog]
    escalated: list[ConversationLog]
    answered: list[ConversationLog]
    """Those the agents answered (a reply not by a person)."""
    not_escalated: list[ConversationLog]
    """Answered, never handed to a person, and without an error."""
    verdicts: dict[str, GoalVerdict]
    goals: dict[str, Any]
    """`goal_figures` of the verdicts."""

    @property
    def rate(self) -> float | None:
        """Conversations resolved without a person, as a share of all."""
        if not self.conversations:
            return None
        resolved: int = self.goals["resolved"]
        return round(resolved / len(self.conversations), 4)


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
    messages = thread_messages or {}
    outcomes = _outcomes(log, records)
    approvals = _approval_rows(queue)
    found, fixed, latest_codes = _defects(log.audits)
    escalations = [escalation_entry(c, messages.get(c.id, ())) for c in outcomes.escalated]
    report: dict[str, Any] = {
        "scenario": {
            **meta,
            "currency": scenario.policy.currency,
            "commit": source_commit(),
            "shopcrew_version": package_version(),
        },
        "names": names(world, [str(e["customer_id"]) for e in escalations if e["customer_id"]]),
        "passed": True,
        "summary": {},
        "funnel": _funnel(outcomes),
        "escalations": escalations,
        "escalation_reasons": dict(
            Counter(c.reason or "other" for c in outcomes.escalated).most_common()
        ),
        "violations": find_violations(log, world, queue, messages, budgets_before),
        "blocked_attempts": _blocked_attempts(outcomes.conversations),
        "approvals": approvals,
        "budgets": _budgets(world, budgets_before),
        "budget_reviews": [review_entry(r, approvals, _gmv_change(r)) for r in log.reviews],
        "demand_plans": [dict(r) for r in log.demand_plans],
        "listings": {"defects_found": found, "defects_fixed": fixed},
        "conversations": [
            _conversation_row(c, outcomes.verdicts[c.id]) for c in outcomes.conversations
        ],
        "events": records,
    }
    report["summary"] = _summary(report, outcomes, log=log, world=world, usage=usage)
    if scenario.shopping_guide:
        langs = {cid: conv.lang for cid, conv in log.conversations.items()}
        report["shopping"] = shopping_figures(messages, langs=langs)
    facts = Facts(
        report=report, world=world, conversations=log.conversations, latest_codes=latest_codes
    )
    expectations = check_expectations(scenario.expect, facts)
    report["expectations"] = expectations
    report["passed"] = all(e["passed"] for e in expectations)
    return report


def _outcomes(log: RunLog, records: Sequence[Mapping[str, Any]]) -> _Outcomes:
    """Sort the conversations by outcome and judge each one's goal."""
    conversations = list(log.conversations.values())
    errored = {r["thread_id"] for r in records if r["outcome"] == "error" and r["thread_id"]}
    answered = [c for c in conversations if any(r["by"] != "human_agent" for r in c.replies)]
    verdicts = {c.id: _judge(c, errored=c.thread_id in errored) for c in conversations}
    return _Outcomes(
        conversations=conversations,
        escalated=[c for c in conversations if c.escalated],
        answered=answered,
        not_escalated=[c for c in answered if not c.escalated and c.thread_id not in errored],
        verdicts=verdicts,
        goals=goal_figures(verdicts.values()),
    )


def _summary(
    report: Mapping[str, Any],
    outcomes: _Outcomes,
    *,
    log: RunLog,
    world: World,
    usage: UsageRecorder,
) -> dict[str, Any]:
    """The report's summary figures, from its sections and the conversations' outcomes."""
    conversations, records = outcomes.conversations, report["events"]
    approvals = report["approvals"]
    approval_counts = Counter(a["status"] for a in approvals)
    after = effective_budgets(world)
    before: Mapping[str, float] = report["budgets"].get("before", {})
    moved = sum(max(0.0, after.get(k, 0.0) - v) for k, v in before.items())
    listings = report["listings"]
    totals = total(usage.runs)
    return {
        "events": len(records),
        "conversations": len(conversations),
        "customer_messages": sum(c.turns for c in conversations),
        "resolved_without_person": outcomes.goals["resolved"],
        "resolution_rate": outcomes.rate,
        "goals": outcomes.goals,
        "answered_without_person": len(outcomes.not_escalated),
        "escalations": len(outcomes.escalated),
        "violations": len(report["violations"]),
        "blocked_attempts": len(report["blocked_attempts"]),
        "writes": sum(len(c.writes) for c in conversations),
        "errors": sum(r["outcome"] == "error" for r in records),
        "approvals": {
            status: approval_counts.get(status, 0)
            for status in ("approved", "rejected", "pending", "expired")
        }
        | {"requested": len(approvals)},
        "budget_moved": round(moved, 2),
        "expected_gmv_change": round(_approved_gmv_change(log, approvals), 2),
        "listing_defects_found": sum(len(x["codes"]) for x in listings["defects_found"]),
        "listing_defects_fixed": sum(len(x["codes"]) for x in listings["defects_fixed"]),
        "latency_ms": _latency(records),
        "tokens": {"input": totals.input_tokens, "output": totals.output_tokens},
        "model_calls": totals.runs,
        "cost_usd": None if totals.cost_usd is None else float(totals.cost_usd),
    }


def _funnel(outcomes: _Outcomes) -> dict[str, int]:
    """From conversations to resolved ones: each stage's count."""
    goals = outcomes.goals
    return {
        "conversations": len(outcomes.conversations),
        "answered_by_agent": len(outcomes.answered),
        "answered_without_person": len(outcomes.not_escalated),
        "resolved_without_person": goals["resolved"],
        "handed_over": goals["handed_over"],
        "not_resolved": goals["not_resolved"],
        "no_goal": goals["no_goal"],
        "escalated": len(outcomes.escalated),
    }


def _budgets(world: World, before: Mapping[str, float]) -> dict[str, Any]:
    """Daily budgets before and after the run, and the paused campaigns (none: no budgets)."""
    if not before:
        return {}
    campaigns = world.adapters.ads.list_campaigns()
    return {
        "before": dict(before),
        "after": effective_budgets(world),
        "paused": [c.id for c in campaigns if c.status == "paused"],
    }


def _gmv_change(review: Mapping[str, Any]) -> float:
    found = _GMV_CHANGE.search(str(review.get("explanation", "")))
    return float(found.group(1)) if found else 0.0


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
