"""The parts of report.md a shop owner acts on.

What to do next, who waits for a person, the campaign budgets and why each moved, the listing
defects and how to fix them, and the names behind the ids.
Every amount carries the shop's currency symbol and its period (a campaign budget and the
planner's expected GMV change are per day); times are on the simulated clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shopcrew.scenario._report_view import Approval, Figures, Report

__all__ = [
    "Naming",
    "approval_summary",
    "budget_reasons",
    "budgets_section",
    "campaign_moved",
    "cell",
    "clock",
    "currency_symbol",
    "listings_section",
    "money",
    "table",
    "todo_section",
    "waiting_section",
]

_SYMBOLS = {"CNY": "¥", "USD": "$"}
_SHORT_NAME = 32  # characters of a name shown next to its id in running text
_TODO_LISTINGS = 5  # listings named in the To-do list; the rest are in their section
_ASKED_SHOWN = 2  # customer messages quoted per waiting conversation


def currency_symbol(code: str | None) -> str:
    """The symbol amounts in `code` are written with ('¥' for CNY, the default)."""
    return _SYMBOLS.get(code or "CNY", f"{code} ")


def money(value: float, symbol: str, *, signed: bool = False) -> str:
    """An amount with its currency symbol: '¥1,200.00', '+¥15.50', '−$3.00'."""
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ""
    return f"{sign}{symbol}{abs(value) if signed else value:,.2f}"


def _short(text: str, limit: int = _SHORT_NAME) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Naming:
    """Names next to ids: campaigns, listings (products) and customers."""

    names: Mapping[str, str]
    symbol: str = "¥"
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, view: Report) -> Naming:
        """The names the report carries (campaign names from the budgets section too)."""
        names = {
            **view.names.listings,
            **view.names.customers,
            **(view.budgets.names if view.budgets else {}),
            **view.names.campaigns,
        }
        for plan in view.demand_plans:
            for sku, by_lang in plan.names.items():
                names.setdefault(sku, str(by_lang.get("zh") or by_lang.get("en") or ""))
        symbol = currency_symbol(view.scenario.currency)
        return cls({k: v for k, v in names.items() if v and v != k}, symbol)

    def name(self, key: str, *, short: bool = True) -> str | None:
        """The name of an id, shortened for running text (None: no name known)."""
        found = self.names.get(key)
        return None if found is None else _short(found) if short else found

    def label(self, key: str, *, short: bool = True) -> str:
        """'`ztc_dress` 连衣裙-直通车': the id in code, then its name when known."""
        found = self.name(key, short=short)
        return f"`{key}`" + (f" {found}" if found else "")

    def annotate(self, text: str) -> str:
        """Free text with each known id followed by its name in parentheses."""
        if not self.names:
            return text
        pattern = self._pattern
        if pattern is None:
            ids = sorted(self.names, key=len, reverse=True)
            pattern = re.compile(r"(?<![\w#])(" + "|".join(map(re.escape, ids)) + r")(?![\w])")
            object.__setattr__(self, "_pattern", pattern)
        return pattern.sub(lambda m: f"{m.group(1)} ({self.name(m.group(1))})", text)


def cell(value: object) -> str:
    text = str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return text.strip() or "–"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def budgets_section(view: Report, f: Figures, naming: Naming) -> list[str]:
    lines = ["## Campaign budgets", ""]
    budgets = view.budgets
    if budgets is None or not (budgets.before or budgets.after):
        if f.budget_review:
            return [*lines, "Budgets were reviewed; the report has no budget figures.", ""]
        return [*lines, "No budget review in this scenario: budgets were not changed.", ""]
    lines += ["![Campaign budgets before and after](charts/budget.png)", ""]
    sym = naming.symbol
    rows: list[tuple[str, str, str, str]] = []
    for campaign in sorted(set(budgets.before) | set(budgets.after)):
        old, new = budgets.before.get(campaign, 0.0), budgets.after.get(campaign, 0.0)
        label = naming.label(campaign, short=False)
        rows.append((label, money(old, sym), money(new, sym), money(new - old, sym, signed=True)))
    old_total, new_total = sum(budgets.before.values()), sum(budgets.after.values())
    rows.append(
        (
            "**Total**",
            f"**{money(old_total, sym)}**",
            f"**{money(new_total, sym)}**",
            f"**{money(new_total - old_total, sym, signed=True)}**",
        )
    )
    header = ("Campaign", f"Before ({sym.strip()}/day)", f"After ({sym.strip()}/day)", "Change")
    lines += table(header, rows)
    lines += budget_reasons(view, naming)
    gmv = f.gmv_change
    if gmv is not None:
        lines += [
            "Expected GMV change of the new budgets: "
            f"{money(gmv, sym, signed=True)} per day (the planner's estimate).",
            "",
        ]
    return lines


def listings_section(view: Report, f: Figures, naming: Naming) -> list[str]:
    lines = ["## Listing defects", ""]
    listings = view.listings
    if listings is None or not f.audit:
        return [*lines, "No listing audit in this scenario.", ""]
    if not listings.defects_found:
        return [*lines, "The audit found no listing defects.", ""]
    fixed = {d.listing_id: set(d.codes) for d in listings.defects_fixed}
    rows = []
    for defect in listings.defects_found:
        done = fixed.get(defect.listing_id, set())
        still = [c for c in defect.codes if c not in done]
        status = "✅ fixed" if not still else f"open: {', '.join(still)}"
        advice = [m for m in defect.messages if m.split(":", 1)[0] in still]
        todo = "; ".join(m.split(":", 1)[-1].strip() for m in advice) if still else "–"
        label = naming.label(defect.listing_id)
        rows.append((label, ", ".join(defect.codes), status, todo or "see the audit"))
    return [*lines, *table(("Listing", "Defects found", "Status", "What to do"), rows)]


def clock(iso: str | None, start: str | None) -> str:
    """A simulated time as 'HH:MM', with the date when it is not the run's first day."""
    if not iso:
        return "–"
    try:
        at = datetime.fromisoformat(iso)
        first = datetime.fromisoformat(start) if start else at
    except ValueError:
        return iso
    return f"{at:%H:%M}" if at.date() == first.date() else f"{at:%Y-%m-%d %H:%M}"


def _waiting(view: Report) -> list[tuple[str, str]]:
    """(conversation id, since) of the conversations still waiting for a person, oldest first."""
    waiting = [e for e in view.escalations if e.waiting and e.conversation_id]
    return sorted(((e.conversation_id or "", e.at or "") for e in waiting), key=lambda x: x[1])


def todo_section(view: Report, f: Figures, naming: Naming) -> list[str]:
    """'## To do': what the shop owner should do next, most urgent first."""
    start = view.scenario.simulated_start
    items: list[str] = []
    waiting = _waiting(view)
    if waiting:
        items.append(
            f"👤 **Answer {len(waiting)} customer(s) waiting for a person**, the longest since "
            f"{clock(waiting[0][1], start)} (simulated clock): see *Waiting for a person*."
        )
    for approval in view.approvals:
        if approval.status == "pending":
            items.append(
                f"⏳ **Decide approval `{approval.id}`** asked by {approval.requested_by or '–'} "
                f"at {clock(approval.requested_at, start)}: "
                f"{approval_summary(approval, view, naming)}"
            )
        elif approval.status == "expired":
            items.append(
                f"⌛ Approval `{approval.id}` expired undecided, nothing was applied: "
                f"{approval_summary(approval, view, naming)} Ask for it again if you still want it."
            )
    items += _defect_items(view, naming)
    goals = f.goals
    if goals is not None and goals.not_resolved:
        causes = ", ".join(f"{c} {n}" for c, n in goals.not_resolved_causes.items())
        items.append(
            f"❌ **{goals.not_resolved} customer(s) did not get what they wanted** and no person "
            f"took over ({causes or 'no cause recorded'}): read them in transcript.jsonl."
        )
    if f.violations:
        items.append(f"⚠️ **{f.violations} policy violation(s)**: see *Policy violations*.")
    if f.errors:
        items.append(f"❌ {f.errors} event(s) failed: see the transcript.")
    lines = ["## To do", ""]
    if not items:
        return [*lines, "Nothing waits for you: no customer, approval or listing defect.", ""]
    return [*lines, *[f"- {item}" for item in items], ""]


def _defect_items(view: Report, naming: Naming) -> list[str]:
    listings = view.listings
    if listings is None:
        return []
    fixed = {d.listing_id: set(d.codes) for d in listings.defects_fixed}
    open_ = [
        (d, [c for c in d.codes if c not in fixed.get(d.listing_id, set())])
        for d in listings.defects_found
    ]
    open_ = [(d, codes) for d, codes in open_ if codes]
    items = []
    for defect, codes in open_[:_TODO_LISTINGS]:
        advice = [m for m in defect.messages if m.split(":", 1)[0] in codes]
        what = advice[0].split(":", 1)[-1].strip() if advice else ", ".join(codes)
        more = f" (+{len(codes) - 1} more)" if len(codes) > 1 else ""
        items.append(f"🛠 **Fix listing {naming.label(defect.listing_id)}**: {what}{more}")
    if len(open_) > _TODO_LISTINGS:
        items.append(f"🛠 … and {len(open_) - _TODO_LISTINGS} more listings: see *Listing defects*.")
    return items


def approval_summary(approval: Approval, view: Report, naming: Naming) -> str:
    """What an approval asks, with names next to ids and amounts with currency and period."""
    review = next(
        (r for r in view.budget_reviews if f"{r.run_id}:budgets" == approval.id and r.moves), None
    )
    if review is None:
        subject = approval.id.rsplit(":", 1)[-1]
        text = naming.annotate(approval.summary)
        if naming.name(subject) and subject not in approval.summary:
            return f"{naming.label(subject)}: {text}"
        return text
    up = [naming.label(m.campaign_id) for m in review.moves if m.proposed > m.current + 0.005]
    down = [naming.label(m.campaign_id) for m in review.moves if m.proposed < m.current - 0.005]
    gmv = review.expected_gmv_change
    change = (
        f"; expected GMV change {money(gmv, naming.symbol, signed=True)} per day"
        if gmv is not None
        else ""
    )
    return (
        f"new daily budgets: more for {', '.join(up) or 'none'}; "
        f"less for {', '.join(down) or 'none'}{change}."
    )


def waiting_section(view: Report, naming: Naming) -> list[str]:
    """'## Waiting for a person': who, since when, what they asked (or why none waits)."""
    lines = ["## Waiting for a person", ""]
    start = view.scenario.simulated_start
    known = [e for e in view.escalations if e.waiting is not None]
    waiting = sorted((e for e in known if e.waiting), key=lambda e: e.at or "")
    if not view.escalations:
        return [*lines, "Nobody: no conversation was handed to a person.", ""]
    if not known:
        return [*lines, "The report does not say whether a person answered.", ""]
    answered = len(known) - len(waiting)
    if not waiting:
        return [*lines, f"Nobody: a person answered all {answered} handed over.", ""]
    end = view.scenario.simulated_end
    lines += [
        f"{len(waiting)} customer(s) still wait for a person at the end of the run "
        f"({clock(end, start)} simulated); {answered} were answered by a person.",
        "",
        "| Since | Conversation | Customer | Why a person | What they asked |",
        "|---|---|---|---|---|",
    ]
    for e in waiting:
        customer = naming.label(e.customer_id) if e.customer_id else "not identified by the agent"
        asked = " / ".join(f"“{_short(t, 80)}”" for t in e.asked[-_ASKED_SHOWN:]) or "–"
        reason = e.reason.replace("_", " ")
        row = (clock(e.at, start), f"`{e.conversation_id}`", customer, reason, asked)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return [*lines, ""]


def budget_reasons(view: Report, naming: Naming) -> list[str]:
    """One line per campaign whose budget moved: from, to, per day, and why."""
    budgets = view.budgets
    if budgets is None:
        return []
    start = view.scenario.simulated_start
    why: dict[str, str] = {}
    for review in view.budget_reviews:
        when = clock(review.at, start)
        for campaign in review.paused:
            why[campaign] = f"paused at {when}: its product is out of stock"
        if review.status in ("applied", "approved"):
            how = "applied at once" if review.status == "applied" else "approved"
            for move in review.moves:
                if move.reason and campaign_moved(move.current, move.proposed):
                    why[move.campaign_id] = f"{move.reason} (plan of {when}, {how})"
    lines: list[str] = []
    for campaign in sorted(set(budgets.before) | set(budgets.after)):
        old, new = budgets.before.get(campaign, 0.0), budgets.after.get(campaign, 0.0)
        if not campaign_moved(old, new):
            continue
        share = f" ({(new - old) / old:+.0%})" if old else ""
        lines.append(
            f"- {naming.label(campaign, short=False)}: {money(old, naming.symbol)} → "
            f"{money(new, naming.symbol)} per day{share}: "
            f"{why.get(campaign, 'no reason recorded (not changed by a budget review)')}"
        )
    if not lines:
        return []
    note = (
        [
            f"Marginal ROAS: the GMV the next {naming.symbol}1 of daily budget of a campaign is "
            "expected to bring; the planner moves budget from campaigns where it is low to those "
            "where it is high until it is about equal.",
            "",
        ]
        if any("marginal ROAS" in line for line in lines)
        else []
    )
    return ["Why each budget moved:", "", *lines, "", *note]


def campaign_moved(old: float, new: float) -> bool:
    """Whether a budget changed by at least a cent."""
    return abs(new - old) >= 0.005
