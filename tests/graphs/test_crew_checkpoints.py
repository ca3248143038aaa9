"""`send_event(checkpoints=...)`: two saves per event, or one, with the same outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals.queue import ApprovalQueue, Decision
from shopcrew.agents.policy import Policy
from shopcrew.graphs.crew import Checkpoints, build_crew, send_event
from shopcrew.graphs.events import BudgetReviewTick, CustomerMessage, HumanDecision
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters

STATUS = "Hi, I am amelia.wilson1598@example.com. Status of order #W9077205?"


def _conversation(adapters: Adapters, checkpoints: Checkpoints) -> tuple[list[Any], Any, int]:
    """A status question, its replay, a request for a person, a message while waiting."""
    saver = InMemorySaver()
    crew = build_crew(model=resolve_model("rules"), adapters=adapters, checkpointer=saver)
    first = CustomerMessage(id="m1", conversation_id="c1", text=STATUS)
    events = [
        first,
        first,
        CustomerMessage(id="m2", conversation_id="c1", text="I want to talk to a human agent"),
        CustomerMessage(id="m3", conversation_id="c1", text="hello?"),
    ]
    outputs = [sorted(send_event(crew, e, checkpoints=checkpoints)) for e in events]
    config: Any = {"configurable": {"thread_id": "default:cs:c1"}}
    state = crew.get_state(config)
    # Model and tool message ids are drawn at random; the customer's are the events'.
    messages = [(type(m).__name__, m.text) for m in state.values["messages"]]
    summary = (outputs, messages, state.next, len(state.interrupts))
    return [summary], state.values.get("escalation"), len(list(saver.list(config)))


def test_a_conversation_ends_as_when_every_step_is_saved_with_fewer_saves(
    adapters: Adapters,
) -> None:
    every, every_ticket, every_saves = _conversation(adapters, "every_step")
    twice, twice_ticket, twice_saves = _conversation(adapters, "accepted_and_done")
    assert twice == every
    assert {**twice_ticket, "id": "", "created_at": ""} == {
        **every_ticket,
        "id": "",
        "created_at": "",
    }
    # At most two saves per event (the event accepted, then done or waiting); a replay and a
    # message that only joins the wait save less. Every step: 4 or more per event.
    assert twice_saves <= 2 * 4 < every_saves


@pytest.mark.parametrize("checkpoints", ["accepted_and_done", "done"])
def test_an_approval_a_subgraph_waits_for_is_saved_and_resumed(
    adapters: Adapters, checkpoints: Checkpoints
) -> None:
    store = InMemoryStore()
    crew = build_crew(
        model=resolve_model("rules"),
        adapters=adapters,
        policy=Policy(budget_move_threshold=0.0),
        store=store,
    )
    out = send_event(crew, BudgetReviewTick(), checkpoints=checkpoints)
    assert "__interrupt__" in out
    [record] = ApprovalQueue(store).pending()
    decision = HumanDecision(decision=Decision.answering(record, "approve", by="ana"))
    done = send_event(crew, decision)
    assert done["approvals"][0]["status"] == "approved"
    budgets = record.request.payload["budgets"]
    assert isinstance(budgets, dict)
    assert {c.id: c.current_budget() for c in adapters.ads.list_campaigns()} == budgets
