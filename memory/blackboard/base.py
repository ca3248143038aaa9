"""The blackboard: what agents tell each other, kept in a store and sent on an event stream.

Entries live in any LangGraph `BaseStore` under `("blackboard", merchant_id, kind)`, so
`entries()` can answer "what complaints are there about this SKU" at any time. Every
posted entry is also published on the merchant's event stream, which agents and other
services consume with consumer groups (Redis Streams semantics: each group sees every
message, each message goes to one consumer of a group, stays pending until acknowledged,
and can be claimed by another consumer once it has been idle long enough, e.g. after a crash).

`InMemoryBlackboard` (here) and `RedisBlackboard` (`blackboard_redis`) implement the same
`Blackboard` Protocol and pass one contract test.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from shopcrew.memory.blackboard.entries import ENTRY_ADAPTER, Entry, EntryKind

__all__ = ["DEFAULT_MAXLEN", "Blackboard", "EntryShelf", "InMemoryBlackboard", "StreamMessage"]

DEFAULT_MAXLEN = 10_000
"""Events kept per merchant stream; older ones are trimmed (approximately, on Redis)."""

_PAGE = 100


@dataclass(frozen=True, slots=True)
class StreamMessage:
    """One event delivered from the stream."""

    id: str
    """Stream id (`<ms>-<seq>`), the handle to `ack`."""
    entry: Entry


class Blackboard(Protocol):
    """What every blackboard offers; agents depend on this Protocol, not on a backend."""

    merchant_id: str

    def post(self, entry: Entry) -> str:
        """Keep `entry` in the store and publish it on the stream; returns the stream id."""
        ...

    def entries(
        self, *, kind: EntryKind | None = None, since: datetime | None = None
    ) -> list[Entry]:
        """Posted entries, oldest first, of one kind (or all) written at or after `since`."""
        ...

    def publish(self, entry: Entry) -> str:
        """Append `entry` to the stream only (not kept in the store); returns its stream id."""
        ...

    def consume(
        self, group: str, consumer: str, *, count: int = 10, block_ms: int | None = None
    ) -> list[StreamMessage]:
        """Deliver up to `count` messages the group has not seen yet to `consumer`.

        The group is created on first use and starts at the oldest retained message.
        Delivered messages stay pending for the group until acknowledged.

        Args:
            group: Consumer group name.
            consumer: This consumer's name within the group.
            count: Most messages to return.
            block_ms: Wait up to this long for a message when none is ready
                (None: do not wait; 0: wait forever, as Redis' BLOCK 0).
        """
        ...

    def ack(self, group: str, *ids: str) -> int:
        """Acknowledge messages for a group; returns how many were pending."""
        ...

    def claim_stale(
        self, group: str, consumer: str, *, min_idle_ms: int, count: int = 100
    ) -> list[StreamMessage]:
        """Take over messages pending for at least `min_idle_ms` (e.g. a crashed consumer's).

        Pending messages that were trimmed from the stream are dropped from the group.
        """
        ...

    def pending(self, group: str) -> int:
        """How many messages the group has delivered but not acknowledged."""
        ...

    def length(self) -> int:
        """How many events the stream retains."""
        ...


def _check_name(what: str, value: str) -> None:
    if not value or "." in value or "\x00" in value:
        raise ValueError(
            f"Blackboard {what} {value!r} must be non-empty without '.' or NUL "
            "(it becomes a store namespace label), e.g. 'merchant-a'."
        )


class EntryShelf:
    """The store-backed half of a blackboard: `post` keeps, `entries` reads back."""

    def __init__(self, store: BaseStore, *, merchant_id: str) -> None:
        _check_name("merchant_id", merchant_id)
        self.store = store
        self.merchant_id = merchant_id

    def item(self, entry: Entry) -> tuple[tuple[str, ...], str, dict[str, Any]]:
        """Where and as what `keep` stores `entry`: its namespace, key and value."""
        value = entry.model_dump(mode="json")
        value["ts"] = entry.at.timestamp()
        return ("blackboard", self.merchant_id, entry.kind), entry.id, value

    def keep(self, entry: Entry) -> None:
        """Store `entry` under `("blackboard", merchant_id, kind)`, keyed by its id."""
        namespace, key, value = self.item(entry)
        self.store.put(namespace, key, value, index=False)

    def read(self, *, kind: EntryKind | None, since: datetime | None) -> list[Entry]:
        """Entries of one kind (or all), at or after `since`, oldest first."""
        prefix: tuple[str, ...] = ("blackboard", self.merchant_id)
        if kind is not None:
            prefix += (kind,)
        where = None if since is None else {"ts": {"$gte": since.timestamp()}}
        found: list[Entry] = []
        while True:
            page = self.store.search(prefix, filter=where, limit=_PAGE, offset=len(found))
            for item in page:
                value = dict(item.value)
                value.pop("ts", None)
                found.append(ENTRY_ADAPTER.validate_python(value))
            if len(page) < _PAGE:
                return sorted(found, key=lambda entry: (entry.at, entry.id))


@dataclass
class _Pending:
    consumer: str
    delivered_at: float


@dataclass
class _Group:
    last: int = 0
    """Sequence of the last message delivered to the group (0: none yet)."""
    pending: dict[int, _Pending] = field(default_factory=dict)


class InMemoryBlackboard(Blackboard):
    """A blackboard in this process: the store you give (default `InMemoryStore`) and a list.

    Same semantics as `RedisBlackboard`, with exact rather than approximate trimming.

    Args:
        store: Where entries are kept.
        merchant_id: The merchant whose blackboard this is.
        maxlen: Events the stream retains.
    """

    def __init__(
        self,
        *,
        store: BaseStore | None = None,
        merchant_id: str = "default",
        maxlen: int = DEFAULT_MAXLEN,
    ) -> None:
        self._shelf = EntryShelf(store or InMemoryStore(), merchant_id=merchant_id)
        self.merchant_id = merchant_id
        self.maxlen = maxlen
        self._events: OrderedDict[int, Entry] = OrderedDict()
        self._groups: dict[str, _Group] = {}
        self._seq = 0
        self._changed = threading.Condition()

    def post(self, entry: Entry) -> str:
        """Keep `entry` in the store and publish it on the stream; returns the stream id."""
        self._shelf.keep(entry)
        return self.publish(entry)

    def entries(
        self, *, kind: EntryKind | None = None, since: datetime | None = None
    ) -> list[Entry]:
        """Posted entries, oldest first, of one kind (or all) written at or after `since`."""
        return self._shelf.read(kind=kind, since=since)

    def publish(self, entry: Entry) -> str:
        """Append `entry` to the stream only; returns its stream id."""
        with self._changed:
            self._seq += 1
            self._events[self._seq] = entry
            while len(self._events) > self.maxlen:
                self._events.popitem(last=False)
            self._changed.notify_all()
            return _stream_id(self._seq)

    def consume(
        self, group: str, consumer: str, *, count: int = 10, block_ms: int | None = None
    ) -> list[StreamMessage]:
        """Deliver up to `count` new messages of the group to `consumer` (see `Blackboard`)."""
        deadline = None if not block_ms else time.monotonic() + block_ms / 1000
        with self._changed:
            state = self._groups.setdefault(group, _Group())
            while True:
                fresh = [seq for seq in self._events if seq > state.last][:count]
                if fresh or block_ms is None:
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                self._changed.wait(remaining)
            now = time.monotonic()
            for seq in fresh:
                state.pending[seq] = _Pending(consumer, now)
                state.last = seq
            return [StreamMessage(_stream_id(seq), self._events[seq]) for seq in fresh]

    def ack(self, group: str, *ids: str) -> int:
        """Acknowledge messages for a group; returns how many were pending."""
        with self._changed:
            state = self._groups.setdefault(group, _Group())
            return sum(state.pending.pop(_seq_of(i), None) is not None for i in ids)

    def claim_stale(
        self, group: str, consumer: str, *, min_idle_ms: int, count: int = 100
    ) -> list[StreamMessage]:
        """Take over messages pending for at least `min_idle_ms` (see `Blackboard`)."""
        with self._changed:
            state = self._groups.setdefault(group, _Group())
            now = time.monotonic()
            claimed: list[StreamMessage] = []
            for seq in sorted(state.pending)[:count]:
                held = state.pending[seq]
                if (now - held.delivered_at) * 1000 < min_idle_ms:
                    continue
                if seq not in self._events:
                    del state.pending[seq]
                    continue
                state.pending[seq] = _Pending(consumer, now)
                claimed.append(StreamMessage(_stream_id(seq), self._events[seq]))
            return claimed

    def pending(self, group: str) -> int:
        """How many messages the group has delivered but not acknowledged."""
        with self._changed:
            return len(self._groups.setdefault(group, _Group()).pending)

    def length(self) -> int:
        """How many events the stream retains."""
        with self._changed:
            return len(self._events)


def _stream_id(seq: int) -> str:
    return f"0-{seq}"


def _seq_of(stream_id: str) -> int:
    return int(stream_id.rsplit("-", 1)[-1])
