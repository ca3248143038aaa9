"""Customer messages through the whole crew (rules model): answers, complaints, escalations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from shopcrew.agents.digest import build_digest
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import AuditTick, CustomerMessage
from shopcrew.memory import InMemoryBlackboard, RedisBlackboard, RedisSaver, RedisStore
from shopcrew.memory.blackboard.base import Blackboard
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters

ORDER = "#W9077205"
"""A delivered order of amelia_wilson_4614: a jigsaw puzzle and a dumbbell set."""
EMAIL = "amelia.wilson1598@example.com"
DUMBBELLS = {"item_id": "3877338112", "product_id": "7233192239"}
COMPLAINT = f"The Dumbbell Set of my order {ORDER} arrived broken, one dumbbell is cracked."


@pytest.fixture
def complained_dir(store_dir: Path) -> Path:
    """The crew's store, its last listing being the dumbbell set of ORDER (same ids)."""
    path = store_dir / "listings.jsonl"
    listings = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    listings[-1]["id"] = DUMBBELLS["product_id"]
    listings[-1]["variants"][0]["sku"] = DUMBBELLS["item_id"]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in listings))
    return store_dir


@pytest.fixture(params=["memory", "redis"])
def memory(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The crew's checkpointer, store and blackboard: in memory, or all three on Redis."""
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


def _crew(adapters: Adapters, **memory: Any) -> Any:
    return build_crew(model=resolve_model("rules"), adapters=adapters, **memory)


def _reply(out: dict[str, Any]) -> str:
    last = out["messages"][-1]
    assert isinstance(last, AIMessage)
    return last.text


def _config(conversation: str) -> RunnableConfig:
    return {"configurable": {"thread_id": f"default:cs:{conversation}"}}


def test_a_customer_is_identified_and_told_their_order_status(
    adapters: Adapters, memory: dict[str, Any]
) -> None:
    crew = _crew(adapters, **memory)
    text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
    out = send_event(crew, CustomerMessage(conversation_id="c1", text=text))
    assert _reply(out).startswith(f"Order {ORDER} is delivered. Tracking number: ")
    called = [c["name"] for m in out["messages"] if isinstance(m, AIMessage) for c in m.tool_calls]
    assert called == ["find_user_id_by_email", "get_user_details", "get_order_details"]
    later = send_event(crew, CustomerMessage(conversation_id="c1", text="Thanks!"))
    assert len(later["messages"]) == len(out["messages"]) + 2


def test_a_customer_complaint_reaches_the_next_audit_and_the_digest(
    complained_dir: Path, memory: dict[str, Any]
) -> None:
    adapters = Adapters.from_store_dir(complained_dir)
    crew = _crew(adapters, **memory)
    send_event(crew, CustomerMessage(conversation_id="c2", text=f"Hi, I am {EMAIL}"))
    out = send_event(crew, CustomerMessage(conversation_id="c2", text=COMPLAINT))
    [waiting] = out["__interrupt__"]
    assert waiting.value["reason"] == "complaint"
    board: Blackboard = memory["blackboard"]
    [complaint] = board.entries(kind="complaint")
    expected = {
        **DUMBBELLS,
        "order_id": ORDER,
        "author": "cs_agent",
        "kind": "complaint",
        "severity": "medium",
        "text": f"broken: {COMPLAINT}",
    }
    assert complaint.model_dump(exclude={"id", "at"}) == expected

    first = adapters.listings.list_listings()[0].id
    audit = send_event(crew, AuditTick(listing_ids=[first]))
    audited = {x["listing_id"]: x for x in audit["report"]["listings"]}
    assert sorted(audited) == sorted([first, DUMBBELLS["product_id"]])
    assert audited[DUMBBELLS["product_id"]]["complaints"] == [
        f"{DUMBBELLS['item_id']}: broken: {COMPLAINT}"
    ]
    digest = build_digest(memory["store"], board)
    line = f"- 3877338112 (7233192239, medium): broken: {COMPLAINT} — re-checked in the audit"
    assert line in digest.splitlines()


def test_a_complaint_names_an_item_of_the_order_discussed_before(complained_dir: Path) -> None:
    store = InMemoryStore()
    crew = _crew(Adapters.from_store_dir(complained_dir), store=store)
    board = InMemoryBlackboard(store=store)
    text = f"Hi, I am {EMAIL}. What is the status of order {ORDER}?"
    send_event(crew, CustomerMessage(conversation_id="c3", text=text))
    assert board.entries(kind="complaint") == []
    send_event(crew, CustomerMessage(conversation_id="c3", text="The dumbbell set is faulty"))
    [complaint] = board.entries(kind="complaint")
    assert (complaint.item_id, complaint.order_id) == (DUMBBELLS["item_id"], ORDER)
    send_event(crew, CustomerMessage(conversation_id="c3", text="Thanks"))
    assert board.entries(kind="complaint") == [complaint]


def test_an_unidentified_customers_complaint_is_not_posted(complained_dir: Path) -> None:
    store = InMemoryStore()
    crew = _crew(Adapters.from_store_dir(complained_dir), store=store)
    out = send_event(crew, CustomerMessage(conversation_id="c5", text=COMPLAINT))
    assert out["__interrupt__"][0].value["reason"] == "complaint"
    assert InMemoryBlackboard(store=store).entries(kind="complaint") == []


def test_a_cs_escalation_is_resumed_by_a_second_crew_over_redis(
    adapters: Adapters, redis_url: str, namespace: str
) -> None:
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        text = f"I am {EMAIL}. I want to talk to a real person please."
        out = send_event(
            _crew(adapters, checkpointer=saver, store=store),
            CustomerMessage(conversation_id="c4", text=text),
        )
        [waiting] = out["__interrupt__"]
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        second = _crew(adapters, checkpointer=saver, store=store)
        resume = {"reply": "Hi, Ana from the shop here.", "status": "in_progress"}
        done = second.invoke(Command(resume=resume), _config("c4"))
        assert done["escalation"] == {**waiting.value, "status": "in_progress"}
        assert _reply(done) == "Hi, Ana from the shop here."
        assert second.get_state(_config("c4")).next == ()


def test_a_replayed_message_id_runs_nothing_and_keeps_the_conversation_in_order(
    store_dir: Path,
) -> None:
    """Sent again, a message id the conversation holds would replace that message in place
    (after later replies), so a "yes" could land after an older confirmation."""
    adapters = Adapters.from_store_dir(store_dir)
    crew = build_crew(model=resolve_model("rules"), adapters=adapters)
    orders = json.loads((store_dir / "orders.json").read_text(encoding="utf-8"))
    pending = next(o for o in orders.values() if o["status"] == "pending")
    email = adapters.customers.get_customer(pending["user_id"]).email
    order = pending["order_id"]
    sent = [
        CustomerMessage(id="m1", conversation_id="c", text=f"I'm {email}. Cancel {order}."),
        CustomerMessage(id="m2", conversation_id="c", text="I don't need it anymore."),
        CustomerMessage(id="m2", conversation_id="c", text="yes"),
    ]
    for event in sent:
        result = send_event(crew, event)
    humans = [m.text for m in result["messages"] if m.type == "human"]
    assert humans == [sent[0].text, sent[1].text]
    assert adapters.orders.get_order(order).status == "pending"
    assert "Please confirm: cancel order" in result["messages"][-1].text
