"""The crew's async entry points: `asend_event` and `adecide`, in memory and over Redis."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals.queue import ApprovalQueue, Decision
from shopcrew.agents.policy import Policy
from shopcrew.errors import ApprovalMismatchError, InvalidEventError, StaleApprovalError
from shopcrew.graphs.approval_gate import adecide
from shopcrew.graphs.crew import asend_event, build_crew
from shopcrew.graphs.events import BudgetReviewTick, CustomerMessage, HumanDecision
from shopcrew.memory import RedisSaver, RedisStore
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters

EVERY_MOVE = Policy(budget_move_threshold=0.0)


def _crew(adapters: Adapters, policy: Policy | None = None, **memory: Any) -> Any:
    return build_crew(model=resolve_model("rules"), adapters=adapters, policy=policy, **memory)


async def test_asend_event_refuses_a_bad_event(adapters: Adapters) -> None:
    with pytest.raises(InvalidEventError, match="text"):
        await asend_event(_crew(adapters), {"kind": "customer_message", "conversation_id": "c"})


async def test_asend_event_answers_a_customer(adapters: Adapters) -> None:
    text = "Hi, my email is amelia.wilson1598@example.com. Status of order #W9077205?"
    out = await asend_event(_crew(adapters), CustomerMessage(conversation_id="c1", text=text))
    last = out["messages"][-1]
    assert isinstance(last, AIMessage)
    assert last.text.startswith("Order #W9077205 is delivered.")


async def test_an_async_decision_applies_once_and_a_replay_is_refused(adapters: Adapters) -> None:
    store = InMemoryStore()
    crew = _crew(adapters, EVERY_MOVE, store=store)
    out = await asend_event(crew, BudgetReviewTick())
    assert "__interrupt__" in out
    [record] = ApprovalQueue(store).pending()
    forged = Decision.answering(record, "approve", by="ana").model_copy(
        update={"action_hash": "0" * 64}
    )
    with pytest.raises(ApprovalMismatchError):
        await asend_event(crew, HumanDecision(decision=forged))
    decision = HumanDecision(decision=Decision.answering(record, "approve", by="ana"))
    done = await asend_event(crew, decision)
    assert done["approvals"][0]["status"] == "approved"
    budgets = record.request.payload["budgets"]
    assert {c.id: c.current_budget() for c in adapters.ads.list_campaigns()} == budgets
    with pytest.raises(StaleApprovalError):
        await asend_event(crew, decision)


async def test_adecide_resumes_from_a_second_crew_over_redis(
    adapters: Adapters, redis_url: str, namespace: str
) -> None:
    async with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        first = _crew(adapters, EVERY_MOVE, checkpointer=saver, store=store)
        assert "__interrupt__" in await asend_event(first, BudgetReviewTick())
    async with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        second = _crew(adapters, EVERY_MOVE, checkpointer=saver, store=store)
        queue = ApprovalQueue(store)
        [record] = queue.pending()
        done = await adecide(second, queue, Decision.answering(record, "reject", by="ana"))
        assert done["approvals"][0]["status"] == "rejected"
        assert queue.pending() == []
