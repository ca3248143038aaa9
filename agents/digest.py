"""The daily digest (Markdown): defects, complaints, approvals and budget changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from langgraph.store.base import BaseStore

from shopcrew.agents.approvals.queue import ApprovalQueue, Clock, utc_now
from shopcrew.memory.blackboard.base import Blackboard
from shopcrew.memory.blackboard.entries import CustomerComplaint
from shopcrew.memory.namespaces import audits_namespace, reviews_namespace, values_in

__all__ = ["build_digest"]


def _items(store: BaseStore, namespace: tuple[str, ...], since: datetime | None) -> list[Any]:
    values = [
        v
        for v in values_in(store, namespace)
        if since is None or datetime.fromisoformat(v["at"]) >= since
    ]
    return sorted(values, key=lambda v: str(v["at"]))


def build_digest(
    store: BaseStore,
    blackboard: Blackboard,
    *,
    merchant_id: str = "default",
    since: datetime | None = None,
    clock: Clock = utc_now,
) -> str:
    """The merchant's digest since `since` (everything when None), as Markdown."""
    now = clock()
    lines = [f"# Daily digest — {merchant_id}", "", f"_As of {now.isoformat()}_", ""]

    audits = _items(store, audits_namespace(merchant_id), since)
    latest: dict[str, dict[str, Any]] = {}
    for audit in audits:
        for listing in audit["listings"]:
            latest[listing["listing_id"]] = listing
    defective = [x for x in latest.values() if x["codes"]]
    lines += ["## Listings with defects", ""]
    lines += [f"- **{x['listing_id']}** {x['title']}: {', '.join(x['codes'])}" for x in defective]
    lines += ["- none"] if not defective else []

    complaints = [
        e
        for e in blackboard.entries(kind="complaint", since=since)
        if isinstance(e, CustomerComplaint)
    ]
    rechecked = {c.split(":", 1)[0] for x in latest.values() for c in x["complaints"]}
    lines += ["", "## Complaints", ""]
    for c in complaints:
        seen = "re-checked in the audit" if c.item_id in rechecked else "not audited yet"
        lines.append(f"- {c.item_id} ({c.product_id}, {c.severity}): {c.text} — {seen}")
    lines += ["- none"] if not complaints else []

    queue = ApprovalQueue(store, merchant_id=merchant_id, clock=clock)
    records = queue.records()
    waiting = [r for r in records if r.status(now) == "pending"]
    decided = [r for r in records if r.status(now) != "pending"]
    lines += ["", "## Approvals waiting", ""]
    for r in waiting:
        req = r.request
        lines.append(
            f"- `{req.id}` {req.action} by {req.requested_by}, expires "
            f"{req.expires_at.isoformat()}: {req.reason.splitlines()[0]}"
        )
    lines += ["- none"] if not waiting else []
    lines += ["", "## Approvals decided", ""]
    for r in decided:
        who = f" by {r.request.decided_by}" if r.request.decided_by else ""
        lines.append(f"- `{r.request.id}` {r.request.action}: {r.status(now)}{who}")
    lines += ["- none"] if not decided else []

    reviews = _items(store, reviews_namespace(merchant_id), since)
    lines += ["", "## Budget changes", ""]
    for review in reviews:
        state = "waiting for approval" if review["needs_approval"] else "applied"
        paused = (
            f"; paused (out of stock): {', '.join(review['paused'])}" if review["paused"] else ""
        )
        lines.append(f"- review `{review['run_id']}` ({state}){paused}")
        for move in review["moves"]:
            if abs(move["proposed"] - move["current"]) >= 0.005:
                lines.append(
                    f"  - {move['campaign_id']}: {move['current']:.2f} -> {move['proposed']:.2f}"
                )
    lines += ["- none"] if not reviews else []
    return "\n".join(lines) + "\n"
