"""A lenient typed view of the report.json dict, and the key figures computed from it.

Keys the view does not know are ignored and every section may be missing (the engine may add
keys); a section of the wrong shape raises `ReportFormatError`. Figures come from `summary` when
present and are otherwise derived from the detailed sections.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.errors import ReportFormatError
from shopcrew.scenario.analysis import percentile

__all__ = [
    "BudgetReview",
    "Budgets",
    "Figures",
    "Funnel",
    "Latency",
    "Names",
    "Report",
    "ReportFormatError",
    "Violation",
    "clock_label",
    "key_figures",
    "parse_report",
    "ranked_reasons",
    "timed_events",
]

logger = logging.getLogger(__name__)


class View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Scenario(View):
    name: str = "scenario"
    title: str | None = None
    description: str | None = None
    file: str | None = None
    seed: int | str | None = None
    volume: float | None = None
    model: str | None = None
    currency: str | None = None
    """The shop's currency (CNY, USD): the symbol of every amount."""
    memory: str | None = None
    started_at: str | None = None
    simulated_start: str | None = None
    simulated_end: str | None = None
    redis_namespace: str | None = None
    duration_s: float | None = None
    commit: str | None = None
    shopcrew_version: str | None = None


class ApprovalCounts(View):
    requested: int = 0
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    expired: int = 0


class Latency(View):
    p50: float | None = None
    p95: float | None = None


class LatencySummary(Latency):
    by_kind: dict[str, Latency] = Field(default_factory=dict)


class Tokens(View):
    input: int = 0
    output: int = 0


class Goals(View):
    resolved: int = 0
    handed_over: int = 0
    handed_over_needed: int = 0
    handed_over_not_needed: int = 0
    not_resolved: int = 0
    no_goal: int = 0
    not_resolved_causes: dict[str, int] = Field(default_factory=dict)


class Summary(View):
    events: int | None = None
    conversations: int | None = None
    resolved_without_person: int | None = None
    resolution_rate: float | None = None
    goals: Goals | None = None
    escalations: int | None = None
    violations: int | None = None
    blocked_attempts: int | None = None
    errors: int | None = None
    approvals: ApprovalCounts | None = None
    budget_moved: float | None = None
    expected_gmv_change: float | None = None
    listing_defects_found: int | None = None
    listing_defects_fixed: int | None = None
    latency_ms: LatencySummary | None = None
    tokens: Tokens | None = None
    model_calls: int | None = None
    cost_usd: float | None = None


class Funnel(View):
    conversations: int = 0
    answered_by_agent: int = 0
    resolved_without_person: int = 0
    """Goal met without a person (reports before goals: not escalated)."""
    handed_over: int | None = None
    not_resolved: int | None = None
    no_goal: int | None = None
    escalated: int = 0


class Escalation(View):
    conversation_id: str | None = None
    reason: str = "no reason given"
    at: str | None = None
    waiting: bool | None = None
    """Still waiting for a person when the run ended (None: a report from before)."""
    customer_id: str | None = None
    asked: list[str] = Field(default_factory=list)
    """The customer's messages, first to last."""


class Violation(View):
    event_id: str | None = None
    conversation_id: str | None = None
    detail: str = ""


class Approval(View):
    id: str = "?"
    kind: str | None = None
    summary: str = ""
    status: str = "unknown"
    requested_by: str | None = None
    decided_by: str | None = None
    requested_at: str | None = None
    decided_at: str | None = None


class Budgets(View):
    before: dict[str, float] = Field(default_factory=dict)
    after: dict[str, float] = Field(default_factory=dict)
    names: dict[str, str] = Field(default_factory=dict)


class Defects(View):
    listing_id: str
    codes: list[str] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    """The latest audit's "CODE: what is wrong and how to fix it"."""


class Names(View):
    """Display names by id."""

    campaigns: dict[str, str] = Field(default_factory=dict)
    listings: dict[str, str] = Field(default_factory=dict)
    customers: dict[str, str] = Field(default_factory=dict)


class DemandPlan(View):
    names: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """SKU → its name by language."""


class BudgetMove(View):
    campaign_id: str
    current: float
    proposed: float
    reason: str | None = None


class BudgetReview(View):
    run_id: str | None = None
    at: str | None = None
    paused: list[str] = Field(default_factory=list)
    status: str | None = None
    """applied, approved, rejected, pending, expired or not applied."""
    expected_gmv_change: float | None = None
    """The planner's estimate, per day at the new budgets."""
    moves: list[BudgetMove] = Field(default_factory=list)


class Listings(View):
    defects_found: list[Defects] = Field(default_factory=list)
    defects_fixed: list[Defects] = Field(default_factory=list)


class Event(View):
    index: int | None = None
    id: str | None = None
    kind: str = "unknown"
    agent: str = "unknown"
    at: str | None = None
    latency_ms: float | None = None
    outcome: str | None = None
    detail: str = ""


class Expectation(View):
    name: str
    passed: bool
    detail: str = ""


class Report(View):
    scenario: Scenario = Field(default_factory=Scenario)
    passed: bool | None = None
    summary: Summary = Field(default_factory=Summary)
    funnel: Funnel | None = None
    escalations: list[Escalation] = Field(default_factory=list)
    escalation_reasons: dict[str, int] = Field(default_factory=dict)
    violations: list[Violation] = Field(default_factory=list)
    blocked_attempts: list[Violation] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    budgets: Budgets | None = None
    budget_reviews: list[BudgetReview] = Field(default_factory=list)
    names: Names = Field(default_factory=Names)
    demand_plans: list[DemandPlan] = Field(default_factory=list)
    listings: Listings | None = None
    events: list[Event] = Field(default_factory=list)
    expectations: list[Expectation] = Field(default_factory=list)


def parse_report(report: Mapping[str, Any]) -> Report:
    if not isinstance(report, Mapping):
        raise ReportFormatError(f"expected a mapping (the parsed report.json), got {type(report)}")
    try:
        return Report.model_validate(dict(report))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']} (got {error['input']!r:.60})"
            for error in exc.errors()[:5]
        )
        raise ReportFormatError(problems) from exc


@dataclass(frozen=True, slots=True)
class Figures:
    """The key figures, from `summary` or derived from the detailed sections."""

    conversations: int
    resolved: int
    escalated: int
    rate: float | None
    goals: Goals | None
    """Verdicts against the customers' goals (None: a report from before goals)."""
    violations: int
    blocked: int | None
    """Unauthorised actions attempted and stopped by the guard (None: not reported)."""
    errors: int | None
    approvals: ApprovalCounts
    budget_review: bool
    """Whether budgets were reviewed (a budget section or a budget review event)."""
    budget_moved: float | None
    gmv_change: float | None
    audit: bool
    """Whether listings were audited (defects reported or an audit event)."""
    defects_found: int | None
    defects_fixed: int | None
    latency: dict[str, Latency]
    """Latency of all events under "", and per event kind."""
    tokens: Tokens
    model_calls: int | None
    cost_usd: float | None


def _percentiles(values: Sequence[float]) -> Latency:
    # The engine's own method (nearest rank), so figures derived here match report.json's.
    return Latency(p50=percentile(values, 50), p95=percentile(values, 95))


def _latency(view: Report) -> dict[str, Latency]:
    given = view.summary.latency_ms
    by_kind: dict[str, list[float]] = {}
    for event in view.events:
        if event.latency_ms is not None:
            by_kind.setdefault(event.kind, []).append(event.latency_ms)
    result = {kind: _percentiles(values) for kind, values in sorted(by_kind.items())}
    result[""] = _percentiles([v for values in by_kind.values() for v in values])
    if given is not None:
        result.update(given.by_kind)
        if given.p50 is not None or given.p95 is not None:
            result[""] = Latency(p50=given.p50, p95=given.p95)
    return result


def _approval_counts(approvals: Iterable[Approval]) -> ApprovalCounts:
    statuses = Counter(a.status for a in approvals)
    return ApprovalCounts(
        requested=sum(statuses.values()),
        approved=statuses["approved"],
        rejected=statuses["rejected"],
        pending=statuses["pending"],
        expired=statuses["expired"],
    )


def _moved(budgets: Budgets | None) -> float | None:
    if budgets is None or not (budgets.before or budgets.after):
        return None
    ids = set(budgets.before) | set(budgets.after)
    deltas = [budgets.after.get(c, 0.0) - budgets.before.get(c, 0.0) for c in ids]
    return max(sum(d for d in deltas if d > 0), -sum(d for d in deltas if d < 0))


def _codes(defects: Iterable[Defects]) -> int:
    """Defects counted per code, as the engine counts them (a listing may have several)."""
    return sum(max(len(d.codes), 1) for d in defects)


def key_figures(view: Report) -> Figures:
    s, funnel = view.summary, view.funnel or Funnel()
    conversations = s.conversations if s.conversations is not None else funnel.conversations
    resolved = (
        s.resolved_without_person
        if s.resolved_without_person is not None
        else funnel.resolved_without_person
    )
    rate = s.resolution_rate
    if rate is None and conversations:
        rate = resolved / conversations
    listings = view.listings or Listings()
    kinds = {e.kind for e in view.events}
    budgets = view.budgets
    budget_review = bool(budgets and (budgets.before or budgets.after)) or (
        "budget_review_tick" in kinds
    )
    audit = bool(listings.defects_found or listings.defects_fixed) or "audit_tick" in kinds
    if not view.events and view.listings is not None:
        audit = True  # a listings section without events to tell: trust it
    return Figures(
        conversations=conversations,
        resolved=resolved,
        escalated=s.escalations if s.escalations is not None else len(view.escalations),
        rate=rate,
        goals=s.goals,
        violations=s.violations if s.violations is not None else len(view.violations),
        blocked=(
            s.blocked_attempts
            if s.blocked_attempts is not None or not view.blocked_attempts
            else len(view.blocked_attempts)
        ),
        errors=s.errors,
        approvals=s.approvals or _approval_counts(view.approvals),
        budget_review=budget_review,
        budget_moved=s.budget_moved if s.budget_moved is not None else _moved(view.budgets),
        gmv_change=s.expected_gmv_change,
        audit=audit,
        defects_found=(
            s.listing_defects_found
            if s.listing_defects_found is not None
            else _codes(listings.defects_found)
        ),
        defects_fixed=(
            s.listing_defects_fixed
            if s.listing_defects_fixed is not None
            else _codes(listings.defects_fixed)
        ),
        latency=_latency(view),
        tokens=s.tokens or Tokens(),
        model_calls=s.model_calls,
        cost_usd=s.cost_usd,
    )


def ranked_reasons(view: Report) -> list[tuple[str, int]]:
    counts = Counter(view.escalation_reasons) or Counter(e.reason for e in view.escalations)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def timed_events(view: Report) -> list[tuple[datetime, Event]]:
    """Events with a readable simulated time, on the wall clock of the first one's zone."""
    timed: list[tuple[datetime, Event]] = []
    zone = None
    for event in view.events:
        if not event.at:
            continue
        try:
            at = datetime.fromisoformat(event.at)
        except ValueError:
            logger.debug("event %s has an unreadable time %r", event.id, event.at)
            continue
        if at.tzinfo is not None:
            zone = zone or at.tzinfo
            at = at.astimezone(zone).replace(tzinfo=None)
        timed.append((at, event))
    return timed


def clock_label(view: Report) -> str:
    """The simulated clock's zone ('UTC+08:00'), from the first event with a readable time."""
    for event in view.events:
        try:
            at = datetime.fromisoformat(event.at or "")
        except ValueError:
            continue
        return at.tzname() or ""
    return ""
