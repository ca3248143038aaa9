"""The customer notes a CS turn shows its model: read from the store once per turn."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final

from langgraph.store.base import BaseStore

from shopcrew.memory.namespaces import customer_namespace

_THREADS_KEPT: Final = 1024
"""Threads whose current turn's notes are kept (the oldest are dropped)."""


class TurnNotes:
    """A customer's latest notes, read once per turn of a thread.

    A turn calls its model several times (before and after its tool calls); each call shows
    the customer's notes. They are read from the store at the turn's first call and kept
    until the turn ends, or until the turn writes a note itself (`forget`). A note another
    conversation writes meanwhile shows from the next turn on.

    Args:
        merchant_id: The merchant whose customers' notes these are.
        shown: Notes shown at most, newest first.
    """

    def __init__(self, *, merchant_id: str, shown: int) -> None:
        self.merchant_id, self.shown = merchant_id, shown
        self._kept: OrderedDict[str, tuple[tuple[str, str], list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, store: BaseStore, *, thread_id: str, turn: str, customer: str) -> list[str]:
        """The notes shown in this turn (`turn`: the id of the turn's customer message)."""
        key = (turn, customer)
        with self._lock:
            kept = self._kept.get(thread_id)
        if kept is not None and kept[0] == key:
            return list(kept[1])
        items = store.search(customer_namespace(self.merchant_id, customer), limit=self.shown)
        notes = [str(item.value.get("text", "")) for item in items if item.value.get("text")]
        with self._lock:
            self._kept[thread_id] = (key, notes)
            self._kept.move_to_end(thread_id)
            while len(self._kept) > _THREADS_KEPT:
                self._kept.popitem(last=False)
        return list(notes)

    def forget(self, thread_id: str) -> None:
        """The turn wrote a note: its next model call reads them again."""
        with self._lock:
            self._kept.pop(thread_id, None)
