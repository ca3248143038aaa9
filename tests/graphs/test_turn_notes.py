"""`TurnNotes`: a customer's notes read once per CS turn, again after the turn writes one."""

from __future__ import annotations

from langgraph.store.memory import InMemoryStore

from shopcrew.graphs._turn_notes import TurnNotes
from shopcrew.memory.namespaces import customer_namespace


def test_notes_are_read_once_per_turn_and_again_after_the_turn_writes_one() -> None:
    store = InMemoryStore()
    namespace = customer_namespace("m1", "ana")
    store.put(namespace, "n1", {"text": "refunded #W1"})
    notes = TurnNotes(merchant_id="m1", shown=10)
    assert notes.read(store, thread_id="t1", turn="h1", customer="ana") == ["refunded #W1"]
    store.put(namespace, "n2", {"text": "cancelled #W2"})  # another conversation's note
    assert notes.read(store, thread_id="t1", turn="h1", customer="ana") == ["refunded #W1"]
    assert len(notes.read(store, thread_id="t2", turn="h9", customer="ana")) == 2
    notes.forget("t1")  # this turn wrote a note
    assert len(notes.read(store, thread_id="t1", turn="h1", customer="ana")) == 2
    store.put(namespace, "n3", {"text": "exchanged #W3"})
    assert len(notes.read(store, thread_id="t1", turn="h2", customer="ana")) == 3  # next turn
