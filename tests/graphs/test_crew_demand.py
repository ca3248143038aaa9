"""The demand planner alone and in the crew: planning ticks, approvals, the blackboard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals import ApprovalQueue, Decision
from shopcrew.agents.policy import Policy
from shopcrew.data import scenarios_dir
from shopcrew.errors import AgentUnavailableError
from shopcrew.graphs.approval_gate import decide
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.demand import build_demand_planner, plans_namespace
from shopcrew.graphs.events import HumanDecision, PlanningTick
from shopcrew.memory import InMemoryBlackboard, RedisBlackboard, RedisSaver, RedisStore
from shopcrew.memory.blackboard.entries import CampaignNote, StockAlert
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.reference.demand import JsonDemandDataAdapter

MARKET = scenarios_dir() / "data" / "nianhuo_demand.jsonl"
FAD, BIG = "s01", "s06"  # the plush that rose sharply; the nuts gift box worth > 50,000


@pytest.fixture
def demand() -> JsonDemandDataAdapter:
    return JsonDemandDataAdapter.from_file(MARKET)


@pytest.fixture(params=["memory", "redis"])
def memory(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """Checkpointer, store and blackboard: in memory, or all three on Redis."""
    if request.param == "memory":
        store = InMemoryStore()
        yield {
            "checkpointer": InMemorySaver(),
            "store": store,
            "blackboard": InMemoryBlackboard(store=store),
        }
        return
    redis_url = request.getfixturevalue("redis_url")
    namespace = request.getfixturevalue("namespace")
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        board = RedisBlackboard.from_url(redis_url, store=store, namespace=namespace)
        try:
            yield {"checkpointer": saver, "store": store, "blackboard": board}
        finally:
            board.close()


@pytest.mark.slow
def test_alone_the_fad_bet_and_the_big_sku_wait_and_the_owner_rejects_the_fad(
    adapters: Adapters, demand: JsonDemandDataAdapter, memory: dict[str, Any]
) -> None:
    planner = build_demand_planner(
        model=resolve_model("rules"), adapters=replace(adapters, demand=demand), **memory
    )
    tick = PlanningTick()
    config = {"configurable": {"thread_id": f"demand:{tick.id}"}}
    out = planner.invoke({"event": tick.model_dump(mode="json")}, config)
    assert "__interrupt__" in out
    report = out["report"]
    assert report["flagged"] == [FAD]
    assert report["waiting"] == [FAD, BIG]
    placed_directly = set(report["placed"])
    assert placed_directly and placed_directly.isdisjoint({FAD, BIG})
    queue = ApprovalQueue(memory["store"])
    [first] = queue.pending()
    evidence = first.request.payload["evidence"]
    assert isinstance(evidence, dict)
    assert evidence["trend"] is True and evidence["money_at_risk"] > 0
    assert len(evidence["history"]) == 56 and len(evidence["forecast_hi"]) == 28
    assert "a fad would collapse" in first.request.reason
    after_reject = decide(planner, queue, Decision.answering(first, "reject", by="owner"))
    [second] = queue.pending()
    assert second.request.payload["sku"] == BIG
    done = decide(planner, queue, Decision.answering(second, "approve", by="owner"))
    assert [a["status"] for a in done["approvals"]] == ["rejected", "approved"]
    assert "__interrupt__" in after_reject
    ordered = demand.placed()
    assert FAD not in ordered and ordered[BIG] == second.request.payload["units"]
    assert set(ordered) == placed_directly | {BIG}
    stored = memory["store"].get(plans_namespace("default"), tick.id)
    assert stored is not None and set(stored.value["placed"]) == set(ordered)
    shortfalls = memory["blackboard"].entries(kind="expected_stock_out")
    assert shortfalls and all(e.author == "demand_planner" for e in shortfalls)


@pytest.mark.slow
def test_in_the_crew_a_planning_tick_reaches_the_demand_planner_and_a_decision_resumes_it(
    adapters: Adapters, demand: JsonDemandDataAdapter, memory: dict[str, Any]
) -> None:
    crew = build_crew(
        model=resolve_model("rules"), adapters=replace(adapters, demand=demand), **memory
    )
    out = send_event(crew, PlanningTick())
    assert out["agent"] == "demand_planner" and "__interrupt__" in out
    queue = ApprovalQueue(memory["store"])
    for verdict in ("reject", "approve"):
        [record] = queue.pending()
        send_event(crew, HumanDecision(decision=Decision.answering(record, verdict, by="owner")))
    assert queue.pending() == []
    assert FAD not in demand.placed() and BIG in demand.placed()


@pytest.mark.slow
def test_a_stock_alert_caps_a_sku_and_a_campaign_lifts_one(
    adapters: Adapters, demand: JsonDemandDataAdapter
) -> None:
    store = InMemoryStore()
    board = InMemoryBlackboard(store=store)
    board.post(StockAlert(product_id=BIG, level=100))
    board.post(CampaignNote(campaign_id="ztc_tea", text="年货节 push", product_id="s04"))
    policy = Policy(stock_plan_threshold=1e9)
    planner = build_demand_planner(
        adapters=replace(adapters, demand=demand), store=store, blackboard=board, policy=policy
    )
    tick = PlanningTick()
    out = planner.invoke(
        {"event": tick.model_dump(mode="json")}, {"configurable": {"thread_id": tick.id}}
    )
    assert out["report"]["capped"] == [BIG] and out["report"]["lifted"] == ["s04"]
    assert sum(out["report"]["plan"][BIG].values()) <= 100
    assert out["report"]["waiting"] == [FAD]  # the fad bet still waits, whatever the threshold


def test_a_crew_without_demand_data_refuses_planning_ticks(adapters: Adapters) -> None:
    crew = build_crew(model=resolve_model("rules"), adapters=adapters)
    with pytest.raises(AgentUnavailableError, match="demand_planner"):
        send_event(crew, PlanningTick())
