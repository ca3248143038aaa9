"""The client-side cache of list channels that keeps `RedisSaver` costs flat per turn.

A saver remembers, per `(thread_id, checkpoint_ns, channel)`, the last list value it wrote or
read: its channel version, the running hash of its encoded items and the item objects. Writes
use it to send only the appended items; reads send the version and hash as a hint, and the
LOAD script stops walking the delta chain when it reaches that version with that hash, so only
the items appended since come back and are deserialised. Another process writing the thread
makes new versions whose chain still passes through the hinted one (a hit on the prefix) or
not (a full read): the hash check on the server keeps stale entries from ever being used.

Items are shared between the cache and the values `get_tuple` returns (LangGraph treats
messages as immutable); the lists are always fresh, so callers may mutate them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from shopcrew.memory.saver import _codec

__all__ = ["HEAD_CACHE_ITEMS", "HEAD_CACHE_SIZE", "HeadCache", "HeadKey", "Hints"]

HEAD_CACHE_SIZE = 4096
"""Threads whose list channels a saver remembers."""

HEAD_CACHE_ITEMS = 250_000
"""Item objects the cache may hold in all; least recently used channels go first."""

HeadKey = tuple[str, str, str]
"""`(thread_id, checkpoint_ns, channel)`."""

Hints = Mapping[str, _codec.ListHead]
"""The heads a LOAD call was sent as hints, by channel."""


class HeadCache:
    """A bounded LRU of threads, each holding its channels' last list values.

    Args:
        size: Most threads kept.
        items: Most item objects kept over all threads.
    """

    def __init__(self, size: int = HEAD_CACHE_SIZE, items: int = HEAD_CACHE_ITEMS) -> None:
        self._threads: OrderedDict[str, dict[tuple[str, str], _codec.ListHead]] = OrderedDict()
        self._size, self._budget, self._held = size, items, 0

    def __len__(self) -> int:
        return sum(len(t) for t in self._threads.values())

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        return (key[1], key[2]) in self._threads.get(key[0], {})

    @property
    def held(self) -> int:
        """Item objects currently held."""
        return self._held

    def get(self, key: HeadKey) -> _codec.ListHead | None:
        """The head of `key`, marking its thread as recently used, or `None`."""
        thread = self._threads.get(key[0])
        if thread is None:
            return None
        self._threads.move_to_end(key[0])
        return thread.get((key[1], key[2]))

    def remember(self, key: HeadKey, head: _codec.ListHead) -> None:
        """Store `head` (whose item list nobody else holds), evicting the oldest threads."""
        old = self._threads.get(key[0], {}).pop((key[1], key[2]), None)
        if old is not None:
            self._held -= len(old.items)
        if len(head.items) > self._budget:
            return
        thread = self._threads.setdefault(key[0], {})
        self._threads.move_to_end(key[0])
        thread[(key[1], key[2])] = head
        self._held += len(head.items)
        while self._threads and (len(self._threads) > self._size or self._held > self._budget):
            _, evicted = self._threads.popitem(last=False)
            self._held -= sum(len(h.items) for h in evicted.values())

    def hints(self, thread_id: str, cns: str) -> dict[str, _codec.ListHead]:
        """Every cached head of one thread and namespace, by channel (for a LOAD call)."""
        thread = self._threads.get(thread_id)
        if not thread:
            return {}
        self._threads.move_to_end(thread_id)
        return {ch: h for (ns, ch), h in thread.items() if ns == cns}

    def forget_thread(self, thread_id: str) -> None:
        """Drop every entry of one thread."""
        thread = self._threads.pop(thread_id, None)
        if thread:
            self._held -= sum(len(h.items) for h in thread.values())
