"""The Markdown of a scenario report, section by section, from the typed view of report.json.

Every section renders whatever the view holds; a missing or empty section becomes one line that
says why (no budget review, no listing audit...). Charts are linked as `charts/<name>.png`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from shopcrew.scenario._report_owner import (
    Naming,
    approval_summary,
    budgets_section,
    cell,
    listings_section,
    money,
    table,
    todo_section,
    waiting_section,
)
from shopcrew.scenario._report_view import (
    Figures,
    Latency,
    Report,
    Violation,
    key_figures,
    ranked_reasons,
    timed_events,
)

__all__ = ["markdown"]

_OFFLINE_MODELS = ("rules", "scripted")
_FEW_CONVERSATIONS = 20  # below this a share says little about the agent
_REASONS = {
    "customer_request": "customer asked for a person",
    "refund_only": "仅退款 (refund without return): a person negotiates",
    "complaint": "complaint",
    "out_of_scope": "outside what the agent may handle",
    "other": "other",
}


def _reason(code: str) -> str:
    """A merchant's wording of an escalation reason code (free text is kept as it is)."""
    label = _REASONS.get(code)
    return f"{label} (`{code}`)" if label else code


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} ms"


def _when(iso: str | None, *, zone: bool = False) -> str:
    if not iso:
        return "–"
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{at:%Y-%m-%d %H:%M}" + (f" {at:%Z}" if zone and at.tzinfo else "")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return str(timedelta(seconds=round(seconds)))


def _period(start: str | None, end: str | None) -> str:
    if not start:
        return "–"
    zone = _when(start, zone=True)[len(_when(start)) + 1 :]
    first, last = _when(start), _when(end)
    span = (
        f"from {first}"
        if not end
        else f"{first} to {last[11:] if first[:10] == last[:10] else last}"
    )
    return f"{span} ({zone})" if zone else span


def _offline(model: str | None) -> bool:
    return model is None or model.split(":")[0] in _OFFLINE_MODELS


def _verdict(view: Report, f: Figures, naming: Naming) -> list[str]:
    failed = [e for e in view.expectations if not e.passed]
    passed = view.passed if view.passed is not None else (not failed if view.expectations else None)
    total = len(view.expectations)
    if passed is None:
        lines = ["## ⚪ No verdict: the scenario states no expectations", ""]
    elif passed and not failed:
        met = f"all {total} expectations met" if total else "no expectation failed"
        lines = [f"## ✅ Passed: {met}", ""]
    elif failed:
        lines = [f"## ❌ Failed: {len(failed)} of {total} expectations not met", ""]
        lines += [
            f"- **{cell(e.name)}**: {cell(naming.annotate(e.detail) or 'no detail given')}"
            for e in failed
        ]
        lines.append("")
    else:
        lines = ["## ❌ Failed: the run did not complete as the scenario expects", ""]
    if f.violations:
        lines += [f"⚠️ **{f.violations} policy violation(s)**: there must be none.", ""]
    lines += _goal_headline(f)
    return lines


def _goal_headline(f: Figures) -> list[str]:
    """The conversations judged by what each customer wanted, failures first."""
    g = f.goals
    if g is None or not f.conversations:
        return []
    n = f.conversations

    def share(count: int) -> str:
        return f"{count:,} of {n:,} ({count / n:.1%})"

    lines = [
        f"**Customers' goals:** ❌ **not resolved {share(g.not_resolved)}** · "
        f"✅ resolved {share(g.resolved)} · "
        f"👤 handed to a person {share(g.handed_over)} "
        f"({g.handed_over_needed} needed, {g.handed_over_not_needed} not needed)"
        + (f" · ⚪ no goal given {share(g.no_goal)}" if g.no_goal else ""),
        "",
    ]
    if g.not_resolved_causes:
        lines += ["Not resolved, by cause:", ""]
        lines += [f"- {cell(cause)}: {count}" for cause, count in g.not_resolved_causes.items()]
        lines.append("")
    return lines


def _key_figures(view: Report, f: Figures, naming: Naming) -> list[str]:
    rows: list[tuple[str, str, str]] = []
    if f.conversations and f.rate is not None:
        note = "each conversation judged by what its customer wanted"
        if f.conversations < _FEW_CONVERSATIONS:
            note = f"only {f.conversations} conversation(s): too few for a share to say much"
        rows.append(
            (
                "Resolved: goal met without a person",
                f"**{f.rate:.1%}** ({f.resolved:,} of {f.conversations:,} conversations)",
                note,
            )
        )
        if f.goals is not None:
            causes = list(f.goals.not_resolved_causes.items())
            top_cause = f"top cause: {causes[0][0]}, {causes[0][1]}" if causes else ""
            rows.append(
                ("Not resolved: goal not met, no person", f"{f.goals.not_resolved:,}", top_cause)
            )
    else:
        rows.append(
            ("Resolved: goal met without a person", "–", "no customer conversations in this run")
        )
    ranked = ranked_reasons(view)
    top = f"top reason: {_reason(ranked[0][0])}, {ranked[0][1]}" if ranked else ""
    if f.goals is not None:
        need = f"{f.goals.handed_over_needed} needed, {f.goals.handed_over_not_needed} not needed"
        top = f"{need}; {top}" if top else need
    rows.append(("Handed to a person", f"{f.escalated:,}", top))
    rows.append(
        (
            "Policy violations",
            f"**{f.violations}**",
            "✅ must be 0" if not f.violations else "❌ must be 0",
        )
    )
    if f.blocked is not None:
        rows.append(
            (
                "Unauthorised actions blocked",
                f"{f.blocked}",
                "attempted, stopped by the policy guard before they ran"
                if f.blocked
                else "the agent attempted none",
            )
        )
    if f.errors is not None:
        rows.append(
            (
                "Events that failed",
                f"{f.errors}",
                "❌ see the transcript" if f.errors else "✅ every event ran",
            )
        )
    a = f.approvals
    decided = ", ".join(
        f"{n} {label}"
        for n, label in (
            (a.approved, "approved"),
            (a.rejected, "rejected"),
            (a.pending, "pending"),
            (a.expired, "expired"),
        )
        if n
    )
    rows.append(("Approvals requested", f"{a.requested}", decided or "none requested"))
    if not f.budget_review or f.budget_moved is None:
        rows.append(("Budget moved", "–", "no budget review in this scenario"))
    else:
        campaigns = len(set(view.budgets.before) | set(view.budgets.after)) if view.budgets else 0
        where = f"between {campaigns} campaigns" if campaigns else ""
        moved = f"{money(f.budget_moved, naming.symbol)} per day"
        rows.append(("Budget moved", moved, where + "; why: see *Campaign budgets*"))
    if f.budget_review and f.gmv_change is not None:
        gmv = f"{money(f.gmv_change, naming.symbol, signed=True)} per day"
        rows.append(
            (
                "Expected GMV change",
                gmv,
                "the planner's estimate for a day at the new budgets (plans applied or approved)",
            )
        )
    if not f.audit or f.defects_found is None:
        rows.append(("Listing defects", "–", "no listing audit in this scenario"))
    else:
        fixed = f.defects_fixed or 0
        open_ = max(f.defects_found - fixed, 0)
        rows.append(
            (
                "Listing defects",
                f"{f.defects_found} found, {fixed} fixed",
                f"{open_} still open" if open_ else "all fixed" if f.defects_found else "",
            )
        )
    overall = f.latency.get("", Latency())
    rows.append(
        (
            "Latency per event",
            f"p50 {_ms(overall.p50)}, p95 {_ms(overall.p95)}",
            "per event kind below",
        )
    )
    rows.append(("Model tokens and cost", *_cost(view.scenario.model, f)))
    return ["## Key figures", "", *table(("Figure", "Value", "Note"), rows)]


def _cost(model: str | None, f: Figures) -> tuple[str, str]:
    tokens = f"{f.tokens.input:,} input + {f.tokens.output:,} output tokens"
    calls = f"{f.model_calls:,} model calls, " if f.model_calls else ""
    if f.cost_usd is not None:
        return f"${f.cost_usd:,.4f} for this run", f"{calls}{tokens}, model {model or 'unknown'}"
    if f.tokens.input or f.tokens.output:
        return tokens, f"{calls}no price known for model {model or 'unknown'}"
    if _offline(model):
        return "no cost", f"offline {model or 'rules'} model, {calls}no tokens billed"
    return "–", f"{calls}no tokens recorded for model {model}"


def _latency_section(view: Report, f: Figures) -> list[str]:
    kinds = Counter(e.kind for e in view.events)
    outcomes: dict[str, Counter[str]] = {}
    for event in view.events:
        outcomes.setdefault(event.kind, Counter())[event.outcome or "–"] += 1
    names = sorted(set(kinds) | {k for k in f.latency if k})
    if not names:
        return ["### Events and latency per kind", "", "No events were recorded in this run.", ""]
    rows = []
    for kind in sorted(names, key=lambda k: (-kinds[k], k)):
        latency = f.latency.get(kind, Latency())
        seen = ", ".join(
            f"{n} {o.replace('_', ' ')}" for o, n in outcomes.get(kind, Counter()).most_common()
        )
        rows.append((kind.replace("_", " "), kinds[kind], seen, _ms(latency.p50), _ms(latency.p95)))
    header = ("Event kind", "Events", "Outcomes", "Latency p50", "Latency p95")
    return ["### Events and latency per kind", "", *table(header, rows)]


def _escalations_section(view: Report, f: Figures) -> list[str]:
    lines = ["## Escalations to a person", ""]
    reasons = ranked_reasons(view)
    if not reasons:
        message = (
            "No conversation was handed to a person."
            if not f.escalated
            else (f"{f.escalated} escalation(s), no reasons recorded.")
        )
        return [*lines, message, ""]
    examples: dict[str, list[str]] = {}
    for escalation in view.escalations:
        if escalation.conversation_id:
            examples.setdefault(escalation.reason, []).append(f"`{escalation.conversation_id}`")
    total = sum(n for _, n in reasons)
    rows = [
        (
            _reason(reason),
            n,
            f"{n / total:.0%}",
            ", ".join(examples.get(reason, [])[:3])
            + (" …" if len(examples.get(reason, [])) > 3 else ""),
        )
        for reason, n in reasons
    ]
    return [*lines, *table(("Reason", "Conversations", "Share", "Examples"), rows)]


def _violations_section(view: Report, f: Figures, naming: Naming) -> list[str]:
    lines = ["## Policy violations", ""]
    if not view.violations:
        message = (
            "None: no reply or action broke the merchant policy."
            if not f.violations
            else f"{f.violations} violation(s) counted, no details recorded."
        )
        return [*lines, message, "", *_blocked_section(view, naming)]
    return [*lines, *_incidents(view.violations, naming), *_blocked_section(view, naming)]


def _incidents(items: Sequence[Violation], naming: Naming) -> list[str]:
    rows = [
        (f"`{v.event_id or '–'}`", f"`{v.conversation_id or '–'}`", naming.annotate(v.detail))
        for v in items
    ]
    return table(("Event", "Conversation", "What happened"), rows)


def _blocked_section(view: Report, naming: Naming) -> list[str]:
    if not view.blocked_attempts:
        return []
    lines = ["### Unauthorised actions blocked by the guard", ""]
    lines += [f"{len(view.blocked_attempts)} attempt(s) stopped before they reached the shop:", ""]
    return [*lines, *_incidents(view.blocked_attempts, naming)]


def _approvals_section(view: Report, naming: Naming) -> list[str]:
    lines = ["## Approvals", ""]
    if not view.approvals:
        return [*lines, "No approval was requested in this scenario.", ""]
    icons = {
        "approved": "✅ approved",
        "rejected": "❌ rejected",
        "pending": "⏳ pending",
        "expired": "⌛ expired",
    }
    rows = [
        (
            f"`{a.id}`",
            (a.kind or "–").replace("_", " "),
            approval_summary(a, view, naming),
            icons.get(a.status, a.status),
            _when(a.requested_at) + (f" by {a.requested_by}" if a.requested_by else ""),
            _when(a.decided_at) + (f" by {a.decided_by}" if a.decided_by else ""),
        )
        for a in view.approvals
    ]
    header = ("Approval", "Action", "What was asked", "Status", "Requested", "Decided")
    return [*lines, *table(header, rows)]


def _timeline_section(view: Report) -> list[str]:
    lines = ["## Events over the simulated day", ""]
    if not view.events:
        return [*lines, "No events were recorded in this run.", ""]
    if not timed_events(view):
        lines += ["The events carry no simulated time, so there is no timeline chart.", ""]
    else:
        lines += ["![Events over the simulated day](charts/timeline.png)", ""]
    agents = Counter(e.agent for e in view.events)
    rows = [(agent.replace("_", " "), n) for agent, n in agents.most_common()]
    return [*lines, *table(("Handled by", "Events"), rows)]


def _expectations_section(view: Report, naming: Naming) -> list[str]:
    lines = ["## Expectations", ""]
    if not view.expectations:
        return [*lines, "The scenario states no expectations.", ""]
    rows = [
        ("✅" if e.passed else "❌", e.name, naming.annotate(e.detail)) for e in view.expectations
    ]
    return [*lines, *table(("", "Expectation", "Detail"), rows)]


def _settings_section(view: Report) -> list[str]:
    s = view.scenario
    model = s.model or "–"
    if _offline(s.model):
        model += " (offline rules model, no cost)"
    rows = [
        ("Scenario", f"`{s.name}`" + (f" ({s.file})" if s.file else "")),
        ("Model", model),
        ("Memory", s.memory or "–"),
        ("Seed", "–" if s.seed is None else s.seed),
        *([("Volume", f"{s.volume:g}× the scenario's conversations")] if s.volume else []),
        ("Simulated time", _period(s.simulated_start, s.simulated_end)),
        ("Commit", f"`{s.commit}`" if s.commit else "– (an installed package: see its version)"),
        ("shopcrew version", s.shopcrew_version or "–"),
        ("Started", _when(s.started_at, zone=True)),
        ("Duration", _duration(s.duration_s)),
        ("Events", f"{len(view.events):,}" if view.events else (view.summary.events or 0)),
    ]
    if s.redis_namespace:
        rows.append(("Redis keys kept", f"namespace `{s.redis_namespace}`"))
    return [
        "## Run settings",
        "",
        *table(("Setting", "Value"), rows),
        "Full data: [report.json](report.json); every event and reply: "
        "[transcript.jsonl](transcript.jsonl).",
        "",
    ]


def markdown(view: Report) -> str:
    """The whole report.md of a run."""
    f = key_figures(view)
    naming = Naming.of(view)
    s = view.scenario
    heading = f"# {cell(s.title)}" if s.title else f"# Scenario `{s.name}`"
    where = " · ".join(
        part
        for part in (
            f"scenario `{s.name}`",
            s.simulated_start and f"simulated {_period(s.simulated_start, s.simulated_end)}",
            s.model and f"model {s.model}",
            s.memory and f"memory {s.memory}",
        )
        if part
    )
    lines = [heading, "", where, ""]
    if s.description:
        lines += [f"> {cell(s.description)}", ""]
    lines += todo_section(view, f, naming)
    lines += _verdict(view, f, naming)
    lines += _key_figures(view, f, naming)
    lines += _latency_section(view, f)
    lines += ["## Resolution funnel", ""]
    if f.conversations:
        lines += ["![Resolution funnel](charts/funnel.png)", ""]
    else:
        lines += ["No customer conversations in this scenario.", ""]
    lines += _escalations_section(view, f)
    lines += waiting_section(view, naming)
    lines += _violations_section(view, f, naming)
    lines += _approvals_section(view, naming)
    lines += budgets_section(view, f, naming)
    lines += listings_section(view, f, naming)
    lines += _timeline_section(view)
    lines += _expectations_section(view, naming)
    lines += _settings_section(view)
    return "\n".join(lines).rstrip() + "\n"
