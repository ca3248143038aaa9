"""The approval gate: bound decisions, expiry, replays, exactly-once, cross-process resume."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from shopcrew.agents.approvals.queue import ApprovalQueue, Decision
from shopcrew.errors import (
    ApprovalExpiredError,
    ApprovalMismatchError,
    StaleApprovalError,
    UnknownApprovalError,
)
from shopcrew.graphs.approval_gate import ApprovalGate, ApprovalState, decide
from shopcrew.memory import RedisSaver, RedisStore
from shopcrew.tools import ApprovalRequest, Campaign, HistoryDay, JsonAdsAdapter, JsonListingAdapter

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _campaign(cid: str, budget: float) -> Campaign:
    history = [HistoryDay(day=d, budget=budget, gmv=budget * 3) for d in range(1, 4)]
    return Campaign(
        id=cid,
        channel="google_pmax",
        name=cid,
        min_budget=10,
        max_budget=1000,
        history=history,
        daily_budget=budget,
    )


def _request(budgets: dict[str, float], *, rid: str = "req-1") -> ApprovalRequest:
    return ApprovalRequest.create(
        id=rid,
        requested_by="planner",
        action="set_campaign_budgets",
        payload={"budgets": dict(budgets)},
        reason="c1 has the higher marginal ROAS",
        created_at=T0,
        expires_at=T0 + timedelta(hours=4),
    )


def propose(state: ApprovalState) -> dict[str, Any]:
    return {"proposals": [_request({"c1": 150.0, "c2": 50.0}).model_dump(mode="json")]}


def after_propose(state: ApprovalState) -> str:
    return "await_approval"


def _graph(gate: ApprovalGate, checkpointer: BaseCheckpointSaver[Any], store: BaseStore) -> Any:
    builder = StateGraph(ApprovalState)
    builder.add_node("propose", propose)
    builder.add_node("await_approval", gate.await_approval)
    builder.add_node("apply_approved", gate.apply_approved)
    builder.add_edge(START, "propose")
    builder.add_conditional_edges("propose", after_propose, ["await_approval"])
    builder.add_conditional_edges("await_approval", gate.after_await)
    builder.add_conditional_edges("apply_approved", gate.after_apply)
    return builder.compile(checkpointer=checkpointer, store=store)


class World:
    def __init__(self, checkpointer: BaseCheckpointSaver[Any], store: BaseStore) -> None:
        self.clock = Clock()
        self.store, self.checkpointer = store, checkpointer
        self.ads = JsonAdsAdapter([_campaign("c1", 100.0), _campaign("c2", 100.0)])
        self.listings = JsonListingAdapter()
        self.queue = ApprovalQueue(store, clock=self.clock)
        self.graph = self.new_process()

    def new_process(self) -> Any:
        """A second graph instance over the same checkpointer, store and adapters."""
        queue = ApprovalQueue(self.store, clock=self.clock)
        gate = ApprovalGate(queue=queue, listings=self.listings, ads=self.ads, clock=self.clock)
        return _graph(gate, self.checkpointer, self.store)

    def start(self, thread: str = "planner-1") -> None:
        self.graph.invoke({}, {"configurable": {"thread_id": thread}})

    def budgets(self) -> dict[str, float]:
        return {c.id: c.current_budget() for c in self.ads.list_campaigns()}


@pytest.fixture
def world() -> World:
    return World(InMemorySaver(), InMemoryStore())


def test_the_queue_lists_the_waiting_request_with_its_interrupt(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    state = world.graph.get_state({"configurable": {"thread_id": "planner-1"}})
    assert [i.id for i in state.interrupts] == [record.interrupt_id]
    assert state.interrupts[0].value["id"] == "req-1"
    assert (record.thread_id, record.request.requested_by) == ("planner-1", "planner")
    assert world.budgets() == {"c1": 100.0, "c2": 100.0}


def test_approve_applies_the_action_and_the_replay_is_refused(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    decision = Decision.answering(record, "approve", by="ana")
    out = decide(world.graph, world.queue, decision)
    assert out["approvals"][0]["status"] == "approved"
    assert world.budgets() == {"c1": 150.0, "c2": 50.0}
    assert world.queue.pending() == []
    with pytest.raises(StaleApprovalError):
        decide(world.graph, world.queue, decision)
    with pytest.raises(StaleApprovalError):
        decide(world.graph, world.queue, Decision.answering(record, "reject", by="bo"))
    assert world.budgets() == {"c1": 150.0, "c2": 50.0}


def test_reject_changes_nothing(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    out = decide(world.graph, world.queue, Decision.answering(record, "reject", by="ana"))
    assert out["approvals"][0]["status"] == "rejected"
    assert world.budgets() == {"c1": 100.0, "c2": 100.0}
    assert world.queue.records(status="rejected")[0].decision is not None


def test_edit_applies_the_edited_payload(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    edited = Decision.answering(record, "edit", by="ana", payload={"budgets": {"c1": 120.0}})
    decide(world.graph, world.queue, edited)
    assert world.budgets() == {"c1": 120.0, "c2": 100.0}


def test_mismatched_decisions_are_refused_and_change_nothing(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    good = Decision.answering(record, "approve", by="ana")
    other_hash = good.model_copy(update={"action_hash": "0" * 64})
    other_interrupt = good.model_copy(update={"interrupt_id": "f" * 32})
    unknown = good.model_copy(update={"request_id": "nope"})
    with pytest.raises(ApprovalMismatchError) as caught:
        decide(world.graph, world.queue, other_hash)
    assert caught.value.field == "action_hash"
    with pytest.raises(ApprovalMismatchError):
        decide(world.graph, world.queue, other_interrupt)
    with pytest.raises(UnknownApprovalError):
        decide(world.graph, world.queue, unknown)
    assert world.budgets() == {"c1": 100.0, "c2": 100.0}
    assert [r.request.id for r in world.queue.pending()] == ["req-1"]
    decide(world.graph, world.queue, good)
    assert world.budgets() == {"c1": 150.0, "c2": 50.0}


def test_an_expired_request_refuses_its_decision(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    world.clock.now = T0 + timedelta(hours=5)
    with pytest.raises(ApprovalExpiredError):
        decide(world.graph, world.queue, Decision.answering(record, "approve", by="ana"))
    assert world.budgets() == {"c1": 100.0, "c2": 100.0}
    assert [r.request.id for r in world.queue.records(status="expired")] == ["req-1"]


def test_a_raw_resume_with_a_mismatched_decision_is_asked_again(world: World) -> None:
    world.start()
    [record] = world.queue.pending()
    config = {"configurable": {"thread_id": "planner-1"}}
    bad = Decision.answering(record, "approve", by="eve").model_copy(
        update={"action_hash": "0" * 64}
    )
    world.graph.invoke(Command(resume={record.interrupt_id: bad.model_dump(mode="json")}), config)
    assert world.budgets() == {"c1": 100.0, "c2": 100.0}
    [again] = world.queue.pending()
    assert again.interrupt_id != record.interrupt_id
    assert [i.id for i in world.graph.get_state(config).interrupts] == [again.interrupt_id]
    decide(world.graph, world.queue, Decision.answering(again, "approve", by="ana"))
    assert world.budgets() == {"c1": 150.0, "c2": 50.0}


class FailAfterApply(JsonAdsAdapter):
    """Applies the write, then fails once, as a process that crashes before checkpointing."""

    failures = 1

    def set_campaign_budget(
        self, campaign_id: str, daily_budget: float, *, idempotency_key: str | None = None
    ) -> Campaign:
        result = super().set_campaign_budget(
            campaign_id, daily_budget, idempotency_key=idempotency_key
        )
        if FailAfterApply.failures and campaign_id == "c2":
            FailAfterApply.failures -= 1
            raise ConnectionError("lost the connection after the write")
        return result


def test_a_retried_resume_applies_the_action_once(caplog: pytest.LogCaptureFixture) -> None:
    world = World(InMemorySaver(), InMemoryStore())
    world.ads = FailAfterApply([_campaign("c1", 100.0), _campaign("c2", 100.0)])
    world.graph = world.new_process()
    world.start()
    [record] = world.queue.pending()
    decision = Decision.answering(record, "approve", by="ana")
    caplog.set_level(logging.INFO, logger="shopcrew.tools.reference._record_table")
    with pytest.raises(ConnectionError):
        decide(world.graph, world.queue, decision)
    out = decide(world.new_process(), world.queue, decision)
    assert out["approvals"][0]["status"] == "approved"
    assert world.budgets() == {"c1": 150.0, "c2": 50.0}
    writes = [r.getMessage() for r in caplog.records if "set_campaign_budget" in r.getMessage()]
    assert writes == ["set_campaign_budget: campaign c1", "set_campaign_budget: campaign c2"]
    with pytest.raises(StaleApprovalError):
        decide(world.graph, world.queue, decision)


@pytest.fixture
def redis_world(redis_url: str, namespace: str) -> Iterator[World]:
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        yield World(saver, store)


def test_an_approval_raised_in_one_process_is_resumed_from_another(
    redis_url: str, namespace: str, redis_world: World
) -> None:
    redis_world.start()
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        queue = ApprovalQueue(store, clock=redis_world.clock)
        [record] = queue.pending()
        gate = ApprovalGate(queue=queue, listings=redis_world.listings, ads=redis_world.ads)
        second = _graph(gate, saver, store)
        out = decide(second, queue, Decision.answering(record, "approve", by="ana"))
        assert out["approvals"][0]["status"] == "approved"
    assert redis_world.budgets() == {"c1": 150.0, "c2": 50.0}
    with pytest.raises(StaleApprovalError):
        decide(redis_world.graph, redis_world.queue, Decision.answering(record, "approve", by="x"))
