"""The marketing planner's subgraph: a budget review tick in, budgets applied or approved.

```
START ─► review_budgets ──(small moves)──► apply_budgets ─► END
                        └─(a move past the threshold)──► await_approval ─► apply_approved ...
```
The plan is made in one node and applied in the next, so the budgets to apply are in the
checkpoint before any is written: a run taken over after a crash in `apply_budgets` applies
the same budgets (the same idempotency keys), instead of planning again from budgets it had
half changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_store
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals.actions import apply_action
from shopcrew.agents.approvals.queue import Clock, utc_now
from shopcrew.agents.planner.agent import (
    budget_request,
    explain,
    plan_budgets,
    react,
)
from shopcrew.agents.policy import Policy
from shopcrew.graphs.approval_gate import ApprovalGate, ApprovalState
from shopcrew.graphs.events import parse_event
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.memory.namespaces import reviews_namespace
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.protocols.merchant import AdsAdapter, ListingAdapter

__all__ = [
    "PlannerState",
    "build_planner",
    "planner_builder",
]


class PlannerState(ApprovalState, total=False):
    """The planner's state: the tick it handles and what it reported."""

    event: dict[str, Any]
    report: dict[str, Any]
    budgets_to_apply: dict[str, float]
    """The plan's budgets when they need no approval, applied by `apply_budgets`."""


@dataclass(frozen=True, slots=True)
class _Planner:
    ads: AdsAdapter
    listings: ListingAdapter
    policy: Policy
    merchant_id: str
    clock: Clock
    blackboard: Blackboard | None

    def review_budgets(self, state: PlannerState) -> dict[str, Any]:
        """React to the blackboard, plan, then apply small moves or ask approval for big ones."""
        event = parse_event(state["event"])
        store = get_store()
        board = self.blackboard or InMemoryBlackboard(store=store, merchant_id=self.merchant_id)
        reviews = reviews_namespace(self.merchant_id)
        last = store.get(reviews[:2], "last_review")
        since = datetime.fromisoformat(last.value["at"]) if last else None
        entries = [*board.entries(kind="stock_alert", since=since)]
        entries += board.entries(kind="campaign_note")
        reactions = react(self.ads, entries, policy=self.policy, run_id=event.id)
        released = sum(self.ads.get_campaign(c).current_budget() for c in reactions.paused)
        plan = plan_budgets(self.ads, policy=self.policy, reactions=reactions, released=released)
        now = self.clock()
        report: dict[str, Any] = {
            "kind": "budget_review",
            "run_id": event.id,
            "at": now.isoformat(),
            "paused": list(reactions.paused),
            "refund_rates": dict(reactions.refund_rates),
            "explanation": "" if plan is None else explain(plan),
            "moves": []
            if plan is None
            else [
                {
                    "campaign_id": m.campaign_id,
                    "current": m.current,
                    "proposed": m.proposed,
                    "reason": m.reason,
                }
                for m in plan.moves
            ],
            "needs_approval": False,
            "applied": False,
        }
        proposals: list[dict[str, Any]] = []
        update: dict[str, Any] = {"report": report, "proposals": proposals}
        if plan is not None:
            request = budget_request(plan, policy=self.policy, now=now, run_id=event.id)
            if request is None:
                update["budgets_to_apply"] = dict(plan.budgets)
            else:
                report["needs_approval"] = True
                proposals.append(request.model_dump(mode="json"))
        store.put(reviews, event.id, report, index=False)
        store.put(reviews[:2], "last_review", {"at": now.isoformat()}, index=False)
        return update

    def apply_budgets(self, state: PlannerState) -> dict[str, Any]:
        """Apply the planned budgets that need no approval, and note it in the review."""
        report = dict(state["report"])
        result = apply_action(
            "set_campaign_budgets",
            {"budgets": dict(state["budgets_to_apply"])},
            listings=self.listings,
            ads=self.ads,
            idempotency_key=f"review:{report['run_id']}",
        )
        report["applied"] = json.loads(result)["budgets"] is not None
        get_store().put(reviews_namespace(self.merchant_id), report["run_id"], report, index=False)
        return {"report": report}


def after_review(state: PlannerState) -> Literal["await_approval", "apply_budgets", "__end__"]:
    """Ask approval when the plan moves a campaign past the policy's threshold, else apply it."""
    if state.get("proposals"):
        return "await_approval"
    return "apply_budgets" if state.get("budgets_to_apply") else "__end__"


def planner_builder(
    *,
    adapters: Adapters | None = None,
    policy: Policy | None = None,
    merchant_id: str = "default",
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> StateGraph[PlannerState, Any, PlannerState, PlannerState]:
    """The planner's graph, uncompiled: input `{"event": <BudgetReviewTick>}`.

    Args:
        adapters: The merchant's adapters (campaigns; listings, for products out of stock);
            the reference store when omitted.
        policy: The merchant policy; defaults apply when omitted.
        merchant_id: The merchant.
        blackboard: Where stock alerts and refund spikes are read; default: over the store.
        clock: The current time.
    """
    adapters = adapters or Adapters.reference(merchant_id=merchant_id)
    ads, listings = adapters.ads, adapters.listings
    agent = _Planner(ads, listings, policy or Policy(), merchant_id, clock, blackboard)
    gate = ApprovalGate(
        listings=listings, ads=ads, blackboard=blackboard, merchant_id=merchant_id, clock=clock
    )
    builder = StateGraph(PlannerState)
    builder.add_node("review_budgets", agent.review_budgets)
    builder.add_node("apply_budgets", agent.apply_budgets)
    builder.add_node("await_approval", gate.await_approval)
    builder.add_node("apply_approved", gate.apply_approved)
    builder.add_edge(START, "review_budgets")
    builder.add_conditional_edges("review_budgets", after_review)
    builder.add_edge("apply_budgets", END)
    builder.add_conditional_edges("await_approval", gate.after_await)
    builder.add_conditional_edges("apply_approved", gate.after_apply)
    return builder


def build_planner(
    *,
    model: BaseChatModel | None = None,
    adapters: Adapters | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    merchant_id: str = "default",
    policy: Policy | None = None,
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> CompiledStateGraph[PlannerState, Any, PlannerState, PlannerState]:
    """The marketing planner alone, compiled (in-memory checkpointer and store by default).

    Send `{"event": BudgetReviewTick().model_dump(mode="json")}`; a big move waits for a
    person's decision (`shopcrew.decide`). The planner's estimates need no chat model, so
    `model` is accepted for the common factory shape and unused.
    """
    del model
    builder = planner_builder(
        adapters=adapters,
        policy=policy,
        merchant_id=merchant_id,
        blackboard=blackboard,
        clock=clock,
    )
    return builder.compile(
        checkpointer=checkpointer or InMemorySaver(), store=store or InMemoryStore()
    )
