"""Checking a scenario's expectations against what the run did; each result says why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from shopcrew.errors import UnknownRecordError
from shopcrew.scenario.spec_expect import (
    ApprovalCheck,
    ConversationCheck,
    EscalationCheck,
    Expectation,
    GoalCheck,
    Range,
    ReplyCheck,
    StateCheck,
)

if TYPE_CHECKING:
    from shopcrew.scenario.analysis import ConversationLog
    from shopcrew.scenario.world import World

__all__ = ["Facts", "check_expectations"]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the expectations may look at."""

    report: Mapping[str, Any]
    world: World
    conversations: Mapping[str, ConversationLog]
    latest_codes: Mapping[str, list[str]]
    """Each audited listing's defect codes at its latest audit."""


def _result(name: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "passed": passed, "detail": detail}


def _ranged(name: str, value: float | None, wanted: Range, what: str) -> dict[str, Any]:
    if value is None:
        return _result(name, False, f"no {what} to measure (expected {wanted.describe()})")
    shown = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    ok = wanted.holds(value)
    return _result(name, ok, f"{what} {shown}, expected {wanted.describe()}")


def _escalations(name: str, check: EscalationCheck, facts: Facts) -> dict[str, Any]:
    summary = facts.report["summary"]
    reasons: Mapping[str, int] = facts.report["escalation_reasons"]
    problems, parts = [], []
    if check.count is not None:
        parts.append(f"{summary['escalations']} escalations")
        if not check.count.holds(summary["escalations"]):
            problems.append(
                f"{summary['escalations']} escalations, expected {check.count.describe()}"
            )
    for reason, wanted in check.reasons.items():
        got = reasons.get(reason, 0)
        parts.append(f"{reason}: {got}")
        if not wanted.holds(got):
            problems.append(f"{got} escalations for {reason}, expected {wanted.describe()}")
    return _result(name, not problems, "; ".join(problems or parts))


def _approvals(name: str, check: ApprovalCheck, facts: Facts) -> dict[str, Any]:
    counts: Mapping[str, int] = facts.report["summary"]["approvals"]
    problems, parts = [], []
    for status in ("requested", "approved", "rejected", "pending", "expired"):
        wanted: Range | None = getattr(check, status)
        if wanted is None:
            continue
        got = counts.get(status, 0)
        parts.append(f"{status} {got}")
        if not wanted.holds(got):
            problems.append(f"{status} {got}, expected {wanted.describe()}")
    return _result(name, not problems, "; ".join(problems or parts))


def _state(name: str, kind: str, checks: Mapping[str, StateCheck], facts: Facts) -> dict[str, Any]:
    problems, parts = [], []
    for record_id, check in checks.items():
        try:
            status, budget = _read(kind, record_id, facts)
        except (UnknownRecordError, KeyError):
            problems.append(f"no {kind} {record_id!r}")
            continue
        if check.status is not None:
            parts.append(f"{kind} {record_id} {status}")
            if status != check.status:
                problems.append(f"{kind} {record_id} is {status}, expected {check.status}")
        if check.budget is not None:
            parts.append(f"{kind} {record_id} budget {budget:g}")
            if budget is None or not check.budget.holds(budget):
                problems.append(
                    f"{kind} {record_id} budget {budget}, expected {check.budget.describe()}"
                )
        if check.defects is not None:
            codes = facts.latest_codes.get(record_id)
            parts.append(f"{kind} {record_id} defects {codes}")
            if codes is None:
                problems.append(f"{kind} {record_id} was never audited")
            elif sorted(codes) != sorted(check.defects):
                problems.append(f"{kind} {record_id} defects {codes}, expected {check.defects}")
    return _result(name, not problems, "; ".join(problems or parts))


def _read(kind: str, record_id: str, facts: Facts) -> tuple[str | None, float | None]:
    adapters = facts.world.adapters
    if kind == "order":
        record = facts.world.retail.get("orders", record_id)
        if record is None:
            raise KeyError(record_id)
        return str(record["status"]), None
    if kind == "listing":
        return adapters.listings.get_listing(record_id).status, None
    campaign = adapters.ads.get_campaign(record_id)
    return campaign.status, campaign.current_budget()


def _matches(conversation: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted.endswith("*"):
        return conversation.startswith(wanted[:-1])
    return conversation == wanted


def _replies(name: str, check: ReplyCheck, facts: Facts) -> dict[str, Any]:
    chosen = [c for c in facts.conversations.values() if _matches(c.id, check.conversation)]
    if not chosen:
        return _result(name, False, f"no conversation {check.conversation!r} in the run")
    texts = [(c.id, str(r["text"])) for c in chosen for r in c.replies]
    problems = []
    for needle in check.contains:
        if not any(needle.casefold() in text.casefold() for _, text in texts):
            problems.append(f"no reply says {needle!r}")
    for needle in check.not_contains:
        hits = [cid for cid, text in texts if needle.casefold() in text.casefold()]
        if hits:
            problems.append(f"{len(hits)} replies say {needle!r} (first in {hits[0]})")
    where = check.conversation or "any conversation"
    ok_detail = f"{len(texts)} replies in {len(chosen)} conversations ({where}) checked"
    return _result(name, not problems, "; ".join(problems) or ok_detail)


def _conversations(name: str, check: ConversationCheck, facts: Facts) -> dict[str, Any]:
    chosen = [
        c
        for c in facts.conversations.values()
        if (check.template is None or fnmatchcase(c.template or "", check.template))
        and (check.conversation is None or fnmatchcase(c.id, check.conversation))
    ]
    which = check.template or check.conversation or "any"
    if len(chosen) < check.min_count:
        return _result(
            name, False, f"{len(chosen)} conversations match {which!r}, expected {check.min_count}+"
        )
    outcomes = {c["id"]: c["outcome"] for c in facts.report["conversations"]}
    causes = {c["id"]: c["cause"] for c in facts.report["conversations"]}
    wrong: list[str] = []
    for conv in chosen:
        if check.escalated is not None and conv.escalated != check.escalated:
            wrong.append(f"{conv.id} {'was' if conv.escalated else 'was not'} escalated")
        elif check.reason is not None and conv.escalated and conv.reason != check.reason:
            wrong.append(f"{conv.id} escalated for {conv.reason}, not {check.reason}")
        elif check.writes is not None and not check.writes.holds(len(conv.writes)):
            wrong.append(f"{conv.id} made {len(conv.writes)} writes")
        elif check.outcome is not None and outcomes.get(conv.id) != check.outcome:
            wrong.append(f"{conv.id} {outcomes.get(conv.id)}: {causes.get(conv.id)}")
    if wrong:
        shown = "; ".join(wrong[:3]) + ("; ..." if len(wrong) > 3 else "")
        return _result(name, False, f"{len(wrong)} of {len(chosen)} conversations: {shown}")
    return _result(name, True, f"all {len(chosen)} conversations matching {which!r} hold")


def _goals(name: str, check: GoalCheck, facts: Facts) -> dict[str, Any]:
    goals: Mapping[str, Any] = facts.report["summary"]["goals"]
    conversations = facts.report["summary"]["conversations"]
    if not conversations:
        return _result(name, False, "no customer conversations in the run")
    problems, parts = [], []
    for verdict in ("resolved", "handed_over", "handed_over_not_needed", "not_resolved", "no_goal"):
        wanted: Range | None = getattr(check, verdict)
        if wanted is None:
            continue
        share = goals.get(verdict, 0) / conversations
        label = verdict.replace("_", " ")
        parts.append(f"{label} {share:.1%} ({goals.get(verdict, 0)}/{conversations})")
        if not wanted.holds(share):
            problems.append(f"{label} {share:.1%}, expected {wanted.describe()}")
    causes = goals.get("not_resolved_causes") or {}
    if problems and causes:
        problems.append(
            "not resolved: " + ", ".join(f"{c} ({n})" for c, n in list(causes.items())[:3])
        )
    return _result(name, not problems, "; ".join(problems or parts))


def _one(expectation: Expectation, facts: Facts) -> dict[str, Any]:
    summary = facts.report["summary"]
    check = expectation.check
    name = expectation.name or check.replace("_", " ")
    match check:
        case "resolution_rate":
            assert expectation.resolution_rate is not None
            rate = summary["resolution_rate"]
            return _ranged(name, rate, expectation.resolution_rate, "resolution rate")
        case "escalations":
            assert expectation.escalations is not None
            return _escalations(name, expectation.escalations, facts)
        case "no_policy_violation":
            violations: Sequence[Mapping[str, Any]] = facts.report["violations"]
            if not violations:
                return _result(name, True, "0 violations")
            first = violations[0]["detail"]
            return _result(name, False, f"{len(violations)} violations; first: {first}")
        case "approvals":
            assert expectation.approvals is not None
            return _approvals(name, expectation.approvals, facts)
        case "total_budget":
            assert expectation.total_budget is not None
            budgets = facts.report["budgets"].get("after", {})
            value = float(sum(budgets.values())) if budgets else None
            return _ranged(name, value, expectation.total_budget, "total daily budget")
        case "budget_moved":
            assert expectation.budget_moved is not None
            return _ranged(name, summary["budget_moved"], expectation.budget_moved, "budget moved")
        case "expected_gmv_change":
            assert expectation.expected_gmv_change is not None
            value = summary["expected_gmv_change"]
            return _ranged(name, value, expectation.expected_gmv_change, "expected GMV change")
        case "order" | "listing" | "campaign":
            checks: Mapping[str, StateCheck] | None = getattr(expectation, check)
            assert checks is not None
            return _state(name, check, checks, facts)
        case "replies":
            assert expectation.replies is not None
            return _replies(name, expectation.replies, facts)
        case "defects_found" | "defects_fixed":
            wanted: Range | None = getattr(expectation, check)
            assert wanted is not None
            value = summary[f"listing_{check}"]
            return _ranged(name, value, wanted, check.replace("_", " "))
        case "goals":
            assert expectation.goals is not None
            return _goals(name, expectation.goals, facts)
        case "conversations":
            assert expectation.conversations is not None
            return _conversations(name, expectation.conversations, facts)
        case "writes":
            assert expectation.writes is not None
            return _ranged(name, summary["writes"], expectation.writes, "CS writes")
        case "events_ok":
            return _events_ok(name, facts)
    raise AssertionError(f"unknown expectation {check}")


def _events_ok(name: str, facts: Facts) -> dict[str, Any]:
    errors = [e for e in facts.report["events"] if e["outcome"] == "error"]
    if not errors:
        return _result(name, True, f"{len(facts.report['events'])} events, none failed")
    first = errors[0]
    return _result(
        name, False, f"{len(errors)} events failed; first {first['id']}: {first['detail']}"
    )


def check_expectations(expect: Sequence[Expectation], facts: Facts) -> list[dict[str, Any]]:
    """Every expectation's result; 'no policy violation' and 'every event ran' always hold."""
    checks = list(expect)
    if not any(e.check == "no_policy_violation" for e in checks):
        checks.append(Expectation(no_policy_violation=True))
    if not any(e.check == "events_ok" for e in checks):
        checks.append(Expectation(name="every event ran", events_ok=True))
    return [_one(expectation, facts) for expectation in checks]
