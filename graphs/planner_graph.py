"""The marketing planner's subgraph: a budget review tick in, budgets applied or approved."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from langgraph.config import get_store
from langgraph.graph import START, StateGraph

from shopcrew.agents.approvals import Clock, utc_now
from shopcrew.agents.approvals_actions import apply_action
from shopcrew.agents.approvals_policy import Policy
from shopcrew.agents.planner_agent import (
    budget_request,
    explain,
    plan_budgets,
    react,
    reviews_namespace,
)
from shopcrew.graphs.approval_gate import ApprovalGate, ApprovalState
from shopcrew.graphs.events import parse_event
from shopcrew.memory.blackboard import Blackboard, InMemoryBlackboard
from shopcrew.tools.merchant_protocols import AdsAdapter, ListingAdapter

__all__ = ["PlannerState", "planner_builder"]


class PlannerState(ApprovalState, total=False):
    """The planner's state: the tick it handles and what it reported."""

    event: dict[str, Any]
    report: dict[str, Any]


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
                {"campaign_id": m.campaign_id, "current": m.current, "proposed": m.proposed}
                for m in plan.moves
            ],
            "needs_approval": False,
            "applied": False,
        }
        proposals: list[dict[str, Any]] = []
        if plan is not None:
            request = budget_request(plan, policy=self.policy, now=now, run_id=event.id)
            if request is None:
                result = apply_action(
                    "set_campaign_budgets",
                    {"budgets": dict(plan.budgets)},
                    listings=self.listings,
                    ads=self.ads,
                    idempotency_key=f"review:{event.id}",
                )
                report["applied"] = json.loads(result)["budgets"] is not None
            else:
                report["needs_approval"] = True
                proposals.append(request.model_dump(mode="json"))
        store.put(reviews, event.id, report, index=False)
        store.put(reviews[:2], "last_review", {"at": now.isoformat()}, index=False)
        return {"report": report, "proposals": proposals}


def after_review(state: PlannerState) -> Literal["await_approval", "__end__"]:
    """Ask approval when the plan moves a campaign past the policy's threshold."""
    return "await_approval" if state.get("proposals") else "__end__"


def planner_builder(
    *,
    ads: AdsAdapter,
    listings: ListingAdapter,
    policy: Policy | None = None,
    merchant_id: str = "default",
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> StateGraph[PlannerState, Any, PlannerState, PlannerState]:
    """The planner's graph, uncompiled: input `{"event": <BudgetReviewTick>}`."""
    agent = _Planner(ads, listings, policy or Policy(), merchant_id, clock, blackboard)
    gate = ApprovalGate(
        listings=listings, ads=ads, blackboard=blackboard, merchant_id=merchant_id, clock=clock
    )
    builder = StateGraph(PlannerState)
    builder.add_node("review_budgets", agent.review_budgets)
    builder.add_node("await_approval", gate.await_approval)
    builder.add_node("apply_approved", gate.apply_approved)
    builder.add_edge(START, "review_budgets")
    builder.add_conditional_edges("review_budgets", after_review)
    builder.add_conditional_edges("await_approval", gate.after_await)
    builder.add_conditional_edges("apply_approved", gate.after_apply)
    return builder
