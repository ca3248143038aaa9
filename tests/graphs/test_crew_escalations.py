"""A conversation handed to a person through the crew keeps waiting while the customer writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import CustomerMessage
from shopcrew.memory import RedisSaver, RedisStore
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.records.escalations import EscalationIndex

ASK_PERSON = "I want to talk to a real person please."
THREAD = "default:cs:c1"


def _config() -> RunnableConfig:
    return {"configurable": {"thread_id": THREAD}}


@pytest.fixture(params=["memory", "redis"])
def crews(request: pytest.FixtureRequest, adapters: Adapters) -> Iterator[Any]:
    """Builds crews over one memory: each call is another process sharing it."""
    with ExitStack() as stack:
        if request.param == "memory":
            saver, store = InMemorySaver(), InMemoryStore()

            def memory() -> dict[str, Any]:
                return {"checkpointer": saver, "store": store}

        else:
            url = str(request.getfixturevalue("redis_url"))
            namespace = str(request.getfixturevalue("namespace"))

            def memory() -> dict[str, Any]:
                return {
                    "checkpointer": stack.enter_context(
                        RedisSaver.from_url(url, namespace=namespace)
                    ),
                    "store": stack.enter_context(RedisStore.from_url(url, namespace=namespace)),
                }

        def build() -> Any:
            return build_crew(model=resolve_model("rules"), adapters=adapters, **memory())

        yield build


def _noted(crew: Any, ticket_id: str) -> tuple[str, str | None] | None:
    """The interrupt and answerer the merchant's escalation index has for a ticket."""
    record = EscalationIndex(crew.store, merchant_id="default").find(ticket_id)
    return None if record is None else (record.interrupt_id, record.answered_by)


def test_messages_while_a_person_is_awaited_join_the_conversation_and_keep_the_wait(
    crews: Any,
) -> None:
    paused = send_event(crews(), CustomerMessage(conversation_id="c1", text=ASK_PERSON))
    [first] = paused["__interrupt__"]
    assert first.value["status"] == "open"
    assert _noted(crews(), first.value["id"]) == (first.id, None)
    handed_over = list(paused["messages"])
    for i, text in enumerate(["Hello?", "我还在等"]):
        out = send_event(crews(), CustomerMessage(id=f"later-{i}", conversation_id="c1", text=text))
        [waiting] = out["__interrupt__"]
        assert waiting.value == first.value
        assert _noted(crews(), first.value["id"]) == (waiting.id, None)
        assert out["messages"][: len(handed_over)] == handed_over
        assert [(m.id, m.text) for m in out["messages"][len(handed_over) :]] == [
            (f"later-{j}", said) for j, said in enumerate(["Hello?", "我还在等"][: i + 1])
        ]
    resumer = crews()
    assert resumer.get_state(_config()).next == ("escalate",)
    resume = {"reply": "Hi, Ana from the shop here.", "status": "in_progress"}
    done = resumer.invoke(Command(resume=resume), _config())
    assert done["escalation"] == {**first.value, "status": "in_progress"}
    last = done["messages"][-1]
    assert isinstance(last, AIMessage)
    assert (last.name, last.text) == ("human_agent", "Hi, Ana from the shop here.")
    assert [m.text for m in done["messages"] if isinstance(m, HumanMessage)][-2:] == [
        "Hello?",
        "我还在等",
    ]
    assert resumer.get_state(_config()).next == ()
    after = send_event(crews(), CustomerMessage(conversation_id="c1", text="Thanks!"))
    assert "__interrupt__" not in after
    assert isinstance(after["messages"][-1], AIMessage)
    assert after["messages"][-1].name != "human_agent"
