"""The demand planner's subgraph: a planning tick in, forward stock placed or approved.

```
START ─► plan_stock ──► place_stock ──(bets or big SKUs)──► await_approval ─► apply_decided ...
                    └──────────────(nothing to ask)───────────────────────────────────► END
```
`plan_stock` reads the market through the `DemandDataAdapter`, the blackboard (stock alerts cap
a SKU, campaign notes lift its demand), forecasts and plans, posts the regions expected to run
short for the marketing planner, and splits the plan: SKUs within the merchant's threshold are
placed by `place_stock`; a fad bet or a SKU worth more than `Policy.stock_plan_threshold` waits
in the approval gate with its evidence, one request per SKU. The plan is made in one node and
applied in the next, so a run taken over after a crash places the same units under the same
idempotency keys. numpy, scipy and statsforecast load only when a tick is planned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_store
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals import ApprovalQueue, Clock, Decision, utc_now
from shopcrew.agents.policy import Policy
from shopcrew.errors import ConfigError
from shopcrew.graphs.approval_gate import ApprovalGate, ApprovalOutcome, ApprovalState
from shopcrew.graphs.events import parse_event
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.protocols.demand import DemandDataAdapter
from shopcrew.tools.records.approvals import ApprovalRequest

__all__ = [
    "DemandPlannerState",
    "build_demand_planner",
    "demand_planner_builder",
    "plans_namespace",
]


def plans_namespace(merchant_id: str) -> tuple[str, ...]:
    """Where the demand planner keeps one report per planning run."""
    return ("shopcrew", merchant_id, "demand_plans")


class DemandPlannerState(ApprovalState, total=False):
    """The demand planner's state: the tick, its report, and the stock to place directly."""

    event: dict[str, Any]
    report: dict[str, Any]
    direct: dict[str, dict[str, float]]
    """SKU → region → units placed without approval, by `place_stock`."""


@dataclass(frozen=True, slots=True)
class _DemandPlanner:
    demand: DemandDataAdapter
    policy: Policy
    merchant_id: str
    clock: Clock
    blackboard: Blackboard | None

    def _board(self) -> Blackboard:
        return self.blackboard or InMemoryBlackboard(
            store=get_store(), merchant_id=self.merchant_id
        )

    def plan_stock(self, state: DemandPlannerState) -> dict[str, Any]:
        """Forecast, plan, post expected stock-outs, and split the plan by who decides."""
        from shopcrew.agents.demand import plan_demand
        from shopcrew.agents.demand.crew_io import (
            board_effects,
            evidence,
            expected_stock_outs,
            split_plan,
        )

        event = parse_event(state["event"])
        market = self.demand.load_market()
        board = self._board()
        entries = [*board.entries(kind="stock_alert"), *board.entries(kind="campaign_note")]
        lifts, caps = board_effects(entries, market)
        answer = plan_demand(market, lifts=lifts, caps=caps)
        now = self.clock()
        requests, direct = split_plan(answer, market, policy=self.policy, now=now, run_id=event.id)
        for entry in expected_stock_outs(answer, market):
            board.post(entry)
        plan = answer.plan
        report: dict[str, Any] = {
            "kind": "demand_plan",
            "run_id": event.id,
            "at": now.isoformat(),
            "market": market.id,
            "horizon": [market.horizon.start.isoformat(), market.horizon.end.isoformat()],
            "plan": plan.units(),
            "expected_cost": round(plan.expected_cost, 2),
            "empty_cost": round(plan.empty_cost, 2),
            "expected_cross_share": round(plan.expected_cross_share, 4),
            "money_at_risk": round(plan.money_at_risk, 2),
            "stock_value": round(plan.stock_value, 2),
            "flagged": [a.sku for a in answer.approvals],
            "lifted": sorted(lifts),
            "capped": sorted(caps),
            "waiting": [r.payload["sku"] for r in requests],
            "placed": {},
            "names": {s.id: {"zh": s.zh, "en": s.en} for s in market.skus},
            "gap_days": (market.horizon.start - market.cutoff).days - 1,
            "evidence": {
                sku: evidence(answer, sku)
                for sku in sorted(
                    {a.sku for a in answer.approvals} | {str(r.payload["sku"]) for r in requests}
                )
            },
        }
        get_store().put(plans_namespace(self.merchant_id), event.id, report, index=False)
        return {
            "report": report,
            "direct": direct,
            "proposals": [r.model_dump(mode="json") for r in requests],
        }

    def place_stock(self, state: DemandPlannerState) -> dict[str, Any]:
        """Place the SKUs that need no approval (idempotent per run and SKU)."""
        report = dict(state["report"])
        placed = dict(report.get("placed", {}))
        for sku, units in sorted(state.get("direct", {}).items()):
            order = self.demand.place_stock(
                sku, units, idempotency_key=f"plan:{report['run_id']}:{sku}"
            )
            placed[sku] = {"order": order.order_id, "units": dict(order.units)}
        report["placed"] = placed
        get_store().put(plans_namespace(self.merchant_id), report["run_id"], report, index=False)
        return {"report": report}

    def apply_decided(self, state: DemandPlannerState) -> dict[str, Any]:
        """Place an approved (or edited) SKU once; record a rejected one."""
        request = ApprovalRequest.model_validate(state["proposals"][0])
        decision = Decision.model_validate(state["decided"])
        report = dict(state["report"])
        result: str | None = None
        status = "rejected" if decision.verdict == "reject" else "approved"
        if status == "approved":
            queue = ApprovalQueue(get_store(), merchant_id=self.merchant_id, clock=self.clock)
            result = queue.get(request.id).result
            if result is None:
                payload = decision.payload if decision.payload is not None else request.payload
                units = payload.get("units")
                sku = str(payload.get("sku"))
                cells = units if isinstance(units, dict) else {}
                order = self.demand.place_stock(
                    sku,
                    {str(k): float(v) for k, v in cells.items() if isinstance(v, int | float)},
                    idempotency_key=f"approval:{request.id}",
                )
                result = json.dumps({"sku": sku, "order": order.order_id, "units": order.units})
                queue.record_result(request.id, result)
            placed = dict(report.get("placed", {}))
            placed[str(request.payload["sku"])] = json.loads(result)
            report["placed"] = placed
        outcome = ApprovalOutcome(
            request_id=request.id, action=request.action, status=status, result=result
        )
        get_store().put(plans_namespace(self.merchant_id), report["run_id"], report, index=False)
        return {
            "report": report,
            "proposals": state["proposals"][1:],
            "decided": None,
            "approvals": [outcome],
        }


def after_plan(state: DemandPlannerState) -> Literal["place_stock", "await_approval", "__end__"]:
    """Place what needs no approval first, then ask about the rest."""
    if state.get("direct"):
        return "place_stock"
    return "await_approval" if state.get("proposals") else "__end__"


def after_place(state: DemandPlannerState) -> Literal["await_approval", "__end__"]:
    """Ask about the bets and big SKUs, if any."""
    return "await_approval" if state.get("proposals") else "__end__"


def after_await(state: DemandPlannerState) -> Literal["await_approval", "apply_decided"]:
    """Ask again after a refused decision, else apply (or record) the decided one."""
    return "await_approval" if state.get("decided") is None else "apply_decided"


def after_decided(state: DemandPlannerState) -> Literal["await_approval", "__end__"]:
    """Ask the next request, or end."""
    return "await_approval" if state.get("proposals") else "__end__"


def demand_planner_builder(
    *,
    adapters: Adapters,
    policy: Policy | None = None,
    merchant_id: str = "default",
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> StateGraph[DemandPlannerState, Any, DemandPlannerState, DemandPlannerState]:
    """The demand planner's graph, uncompiled: input `{"event": <PlanningTick>}`.

    Args:
        adapters: The merchant's adapters, with `demand` (market, history, costs, stock
            placement) set.
        policy: The merchant policy (`stock_plan_threshold`, approval expiry).
        merchant_id: The merchant.
        blackboard: Where the agents leave each other entries; default: over the store.
        clock: The current time.

    Raises:
        ConfigError: The adapters carry no demand data.
    """
    if adapters.demand is None:
        raise ConfigError(
            "the demand planner needs demand data: build the adapters with demand= "
            "(e.g. Adapters.from_store(store, demand=JsonDemandDataAdapter.from_file(path)))"
        )
    agent = _DemandPlanner(adapters.demand, policy or Policy(), merchant_id, clock, blackboard)
    gate = ApprovalGate(
        listings=adapters.listings,
        ads=adapters.ads,
        blackboard=blackboard,
        merchant_id=merchant_id,
        clock=clock,
    )

    builder = StateGraph(DemandPlannerState)
    builder.add_node("plan_stock", agent.plan_stock)
    builder.add_node("place_stock", agent.place_stock)
    builder.add_node("await_approval", gate.await_approval)
    builder.add_node("apply_decided", agent.apply_decided)
    builder.add_edge(START, "plan_stock")
    builder.add_conditional_edges("plan_stock", after_plan)
    builder.add_conditional_edges("place_stock", after_place)
    builder.add_conditional_edges("await_approval", after_await)
    builder.add_conditional_edges("apply_decided", after_decided)
    return builder


def build_demand_planner(
    *,
    model: BaseChatModel | None = None,
    adapters: Adapters,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    merchant_id: str = "default",
    policy: Policy | None = None,
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> CompiledStateGraph[DemandPlannerState, Any, DemandPlannerState, DemandPlannerState]:
    """The demand planner alone, compiled (in-memory checkpointer and store by default).

    Send `{"event": PlanningTick().model_dump(mode="json")}`; answer its approval requests with
    `shopcrew.graphs.decide(graph, queue, decision)`. `model` is accepted for the common
    factory shape: the demand planner's rules need no chat model.

    Raises:
        ConfigError: `adapters` carry no demand data.
    """
    del model
    builder = demand_planner_builder(
        adapters=adapters,
        policy=policy,
        merchant_id=merchant_id,
        blackboard=blackboard,
        clock=clock,
    )
    return builder.compile(
        checkpointer=checkpointer or InMemorySaver(), store=store or InMemoryStore()
    )
