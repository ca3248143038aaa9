"""`RedisBlackboard`: the blackboard's event stream on a Redis Stream, entries in a store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import redis
from langgraph.store.base import BaseStore, PutOp
from redis.exceptions import NoScriptError, ResponseError

from shopcrew.closing import Closing
from shopcrew.errors import KeyTypeError
from shopcrew.memory._redis import (
    SyncClient,
    describe_client,
    raise_for_wrongtype,
    sync_client,
    unavailable,
)
from shopcrew.memory.blackboard.base import (
    DEFAULT_MAXLEN,
    Blackboard,
    EntryShelf,
    StreamMessage,
)
from shopcrew.memory.blackboard.entries import ENTRY_ADAPTER, Entry, EntryKind
from shopcrew.memory.store._codec import StoreKeys
from shopcrew.memory.store._lua import POST_SCRIPT, sha1
from shopcrew.memory.store._plan import plan_batch
from shopcrew.memory.store.redis import RedisStore

__all__ = ["RedisBlackboard"]

logger = logging.getLogger(__name__)

_FIELD = b"entry"
_POST_SHA = sha1(POST_SCRIPT)


class RedisBlackboard(Closing, Blackboard):
    """A merchant's blackboard on Redis: a stream (`XADD MAXLEN ~`) plus a `BaseStore`.

    The stream key is `{<store namespace>}:blackboard:<merchant_id>:events`, in the hash tag
    of the `RedisStore` that keeps the entries (`<namespace>:<merchant_id>` by default), so
    that `post` is one Lua script on one cluster slot: the entry and its stream event appear
    together or not at all, and a reader never sees an entry its consumers were not sent.
    With another kind of store, or a `RedisStore` on another server, `post` keeps the entry
    first and then publishes it (two steps).

    Consumer groups are created on first use (`XGROUP CREATE ... 0 MKSTREAM`) and start at the
    oldest retained event. Delivery is `XREADGROUP`, acknowledgement `XACK`, and a crashed
    consumer's pending events are taken over with `XAUTOCLAIM`. Trimming is approximate (`~`),
    so the stream may briefly hold somewhat more than `maxlen` events, never fewer.

    Args:
        client: A synchronous client (`decode_responses=False`); the caller keeps ownership.
        store: Where entries are kept; default a `RedisStore` on the same client and namespace.
        merchant_id: The merchant whose blackboard this is.
        namespace: Key prefix, e.g. `shopcrew`.
        maxlen: Events the stream retains (approximately).
    """

    def __init__(
        self,
        client: SyncClient,
        *,
        store: BaseStore | None = None,
        merchant_id: str = "default",
        namespace: str = "shopcrew",
        maxlen: int = DEFAULT_MAXLEN,
    ) -> None:
        self._client = client
        self._owned = False
        self._server = describe_client(client)
        kept = store or RedisStore(client, namespace=f"{namespace}:{merchant_id}")
        self._shelf = EntryShelf(kept, merchant_id=merchant_id)
        self.merchant_id = merchant_id
        self.maxlen = maxlen
        # The stream shares the store's hash tag: one script may then write both.
        tag = kept.namespace if isinstance(kept, RedisStore) else f"{namespace}:{merchant_id}"
        self.key = f"{{{tag}}}:blackboard:{merchant_id}:events"
        self._one_script: RedisStore | None = None
        if isinstance(kept, RedisStore) and _same_server(client, kept._client):
            self._one_script = kept
        self._groups: set[str] = set()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        store: BaseStore | None = None,
        merchant_id: str = "default",
        namespace: str = "shopcrew",
        maxlen: int = DEFAULT_MAXLEN,
    ) -> RedisBlackboard:
        """Build a blackboard with its own client, closed by `close`."""
        board = cls(
            sync_client(url),
            store=store,
            merchant_id=merchant_id,
            namespace=namespace,
            maxlen=maxlen,
        )
        board._owned = True
        return board

    def close(self) -> None:
        """Close the client if this blackboard created it."""
        if self._owned:
            self._client.close()

    @contextmanager
    def _redis(self) -> Iterator[None]:
        with unavailable(self._server):
            try:
                yield
            except ResponseError as exc:
                raise_for_wrongtype(exc)
                if str(exc).startswith("WRONGTYPE"):
                    # The command failed before changing anything; say what the key holds.
                    found = self._client.type(self.key)
                    name = found.decode() if isinstance(found, bytes) else str(found)
                    raise KeyTypeError(self.key, expected="stream", found=name) from exc
                raise

    def post(self, entry: Entry) -> str:
        """Keep `entry` in the store and publish it on the stream; returns the stream id.

        One Lua script when the store is a `RedisStore` on this server (see the class).
        """
        store = self._one_script
        if store is None:
            self._shelf.keep(entry)
            return self.publish(entry)
        namespace, key, value = self._shelf.item(entry)
        default_ttl = (store.ttl_config or {}).get("default_ttl")
        put = PutOp(namespace, key, value, index=False, ttl=default_ttl)
        # A store with an index drops an unindexed item's vectors, as its `put` does.
        ops = plan_batch([put]).write_args(None if store.embeddings is None else {})
        where = StoreKeys.for_namespace(store.namespace)
        keys = [*where.fixed, self.key]
        args: list[str | bytes] = [where.base, str(self.maxlen), _FIELD, entry.model_dump_json()]
        args += ops
        with self._redis():
            try:
                sent = self._client.evalsha(_POST_SHA, len(keys), *keys, *args)
            except NoScriptError:
                sent = self._client.eval(POST_SCRIPT, len(keys), *keys, *args)
        return _text(sent)

    def entries(
        self, *, kind: EntryKind | None = None, since: datetime | None = None
    ) -> list[Entry]:
        """Posted entries, oldest first, of one kind (or all) written at or after `since`."""
        return self._shelf.read(kind=kind, since=since)

    def publish(self, entry: Entry) -> str:
        """Append `entry` to the stream only (`XADD MAXLEN ~`); returns its stream id."""
        with self._redis():
            sent = self._client.xadd(
                self.key,
                {_FIELD: entry.model_dump_json()},
                maxlen=self.maxlen,
                approximate=True,
            )
        return _text(sent)

    def _ensure_group(self, group: str) -> None:
        if group in self._groups:
            return
        try:
            with self._redis():
                self._client.xgroup_create(self.key, group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._groups.add(group)

    def consume(
        self, group: str, consumer: str, *, count: int = 10, block_ms: int | None = None
    ) -> list[StreamMessage]:
        """Deliver up to `count` new messages of the group to `consumer` (`XREADGROUP`)."""
        self._ensure_group(group)
        with self._redis():
            reply: Any = self._client.xreadgroup(
                group, consumer, {self.key: ">"}, count=count, block=block_ms
            )
        return [m for _, messages in reply or [] for m in _messages(messages)]

    def ack(self, group: str, *ids: str) -> int:
        """Acknowledge messages for a group (`XACK`); returns how many were pending."""
        if not ids:
            return 0
        self._ensure_group(group)
        with self._redis():
            return int(self._client.xack(self.key, group, *ids))

    def claim_stale(
        self, group: str, consumer: str, *, min_idle_ms: int, count: int = 100
    ) -> list[StreamMessage]:
        """Take over messages pending for at least `min_idle_ms` (`XAUTOCLAIM`)."""
        self._ensure_group(group)
        with self._redis():
            claimed: Any = self._client.xautoclaim(
                self.key, group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
            )
        return _messages(claimed[1])

    def pending(self, group: str) -> int:
        """How many messages the group has delivered but not acknowledged (`XPENDING`)."""
        self._ensure_group(group)
        with self._redis():
            return int(self._client.xpending(self.key, group)["pending"])

    def length(self) -> int:
        """How many events the stream retains (`XLEN`)."""
        with self._redis():
            return int(self._client.xlen(self.key))


def _same_server(client: SyncClient, other: SyncClient) -> bool:
    """Whether two clients reach the same server (and database), or the same cluster."""
    if client is other:
        return True
    if isinstance(client, redis.Redis) and isinstance(other, redis.Redis):
        fields = ("host", "port", "path", "db")
        mine = client.connection_pool.connection_kwargs
        theirs = other.connection_pool.connection_kwargs
        return all(mine.get(f) == theirs.get(f) for f in fields)
    if isinstance(client, redis.Redis) or isinstance(other, redis.Redis):
        return False
    return describe_client(client) == describe_client(other)


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _messages(raw: list[Any]) -> list[StreamMessage]:
    out: list[StreamMessage] = []
    for stream_id, fields in raw:
        if not fields:
            continue  # deleted under a pending id
        out.append(StreamMessage(_text(stream_id), ENTRY_ADAPTER.validate_json(fields[_FIELD])))
    return out
