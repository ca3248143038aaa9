"""`RedisStore`: LangGraph's `BaseStore` on plain Redis (no modules), one merchant per namespace."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from langchain_core.embeddings import Embeddings
from langgraph.store.base import (
    BaseStore,
    IndexConfig,
    Op,
    Result,
    TTLConfig,
    ensure_embeddings,
    tokenize_path,
)
from redis.exceptions import NoScriptError, ResponseError

from shopcrew.closing import Closing
from shopcrew.memory._redis import (
    AsyncClient,
    SyncClient,
    async_client,
    describe_client,
    raise_for_wrongtype,
    sync_client,
    unavailable,
)
from shopcrew.memory.store._codec import StoreKeys
from shopcrew.memory.store._lua import READ_SCRIPT, WRITE_SCRIPT, sha1
from shopcrew.memory.store._plan import (
    IndexFields,
    ItemId,
    plan_batch,
    texts_to_embed,
    vectors_by_item,
)

__all__ = ["RedisStore"]

logger = logging.getLogger(__name__)

_SCRIPTS = {sha1(READ_SCRIPT): READ_SCRIPT, sha1(WRITE_SCRIPT): WRITE_SCRIPT}
_READ_SHA, _WRITE_SHA = sha1(READ_SCRIPT), sha1(WRITE_SCRIPT)


class RedisStore(Closing, BaseStore):
    """LangGraph's long-term `BaseStore` on plain Redis 6.2+ commands and two Lua scripts.

    Behaves as `InMemoryStore` does (filters, namespace listing, result order, scores),
    checked by a property-based test against it, with these deliberate differences:

    - `list_namespaces` lists only namespaces that hold items (InMemoryStore also keeps
      namespaces that were emptied, or merely read).
    - `created_at` is kept when an item is overwritten (InMemoryStore resets it).
    - Vectors are stored as float32, so scores may differ from InMemoryStore's float64 in
      the 7th digit; an overwrite replaces an item's vectors instead of merging them.

    Each `batch` is one round trip (a pipeline of a read and a write script; reads see the
    state before the writes, as in InMemoryStore), plus one when search results with a TTL
    are refreshed. All keys carry the hash tag `{namespace}`, so one store lives in one
    cluster slot and every script is atomic there. Semantic search needs no Redis module:
    vectors are stored per item and compared client-side with numpy, over the namespaces the
    search's prefix selects.

    TTLs are in minutes, as in `BaseStore.put`; expired items are removed at the start of
    every batch (so `sweep_interval_minutes` is not needed and never returned).

    Args:
        client: A synchronous client (standalone or cluster) created with
            `decode_responses=False`; the caller keeps ownership.
        aclient: An asyncio client for `abatch`; without one, `abatch` runs `batch` in a
            worker thread.
        namespace: Prefix of every key, one per merchant, e.g. `shopcrew:merchant-a`.
        index: Semantic search configuration as `InMemoryStore` takes it
            (`dims`, `embed`, `fields`).
        ttl: TTL configuration (`default_ttl` minutes, `refresh_on_read`).
    """

    supports_ttl = True

    def __init__(
        self,
        client: SyncClient,
        *,
        aclient: AsyncClient | None = None,
        namespace: str = "shopcrew",
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        if not namespace or "{" in namespace or "}" in namespace:
            raise ValueError(
                f"RedisStore namespace {namespace!r} must be non-empty and free of braces; "
                "pass one per merchant, e.g. namespace='shopcrew:merchant-a'."
            )
        self._client = client
        self._aclient = aclient
        self._owned = False
        self._keys = StoreKeys.for_namespace(namespace)
        self._server = describe_client(client)
        self.namespace = namespace
        self.ttl_config = ttl
        self.index_config = index
        self.embeddings: Embeddings | None = None
        self._fields: IndexFields = []
        self._dims = 0
        if index is not None:
            if "dims" not in index or "embed" not in index:
                raise ValueError(
                    "RedisStore(index=...) needs 'dims' and 'embed', e.g. "
                    "index={'dims': 1536, 'embed': embed_texts, 'fields': ['text']}."
                )
            self.embeddings = ensure_embeddings(index["embed"])
            self._dims = index["dims"]
            self._fields = [
                (p, tokenize_path(p) if p != "$" else p) for p in index.get("fields") or ["$"]
            ]

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str = "shopcrew",
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> RedisStore:
        """Build a store with its own sync and async clients, closed by `close`/`aclose`.

        Args:
            url: `redis://host:port/db`, `rediss://...`, or a cluster URL
                (`redis+cluster://host:port`).
            namespace: Prefix of every key, one per merchant.
            index: Optional semantic search configuration.
            ttl: Optional TTL configuration.
        """
        store = cls(
            sync_client(url), aclient=async_client(url), namespace=namespace, index=index, ttl=ttl
        )
        store._owned = True
        return store

    def close(self) -> None:
        """Close the sync client if this store created it (the async one needs `aclose`)."""
        if self._owned:
            self._client.close()

    async def aclose(self) -> None:
        """Close both clients if this store created them."""
        if self._owned:
            self._client.close()
            if self._aclient is not None:
                await self._aclient.aclose()

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the ops in one round trip; results are in the order of `ops`."""
        plan = plan_batch(ops)
        queries: dict[str, list[float]] = {}
        vectors: dict[ItemId, dict[str, list[float]]] | None = None
        if self.embeddings is not None:
            if plan.queries:
                queries = {q: self.embeddings.embed_query(q) for q in plan.queries}
            texts = texts_to_embed(plan.puts, self._fields)
            embedded = self.embeddings.embed_documents(list(texts)) if texts else []
            vectors = vectors_by_item(texts, embedded)
        reply = self._run(plan.read_args, plan.write_args(vectors))
        if plan.read_args:
            touches = plan.apply_reads(reply[0], query_vectors=queries, dims=self._dims)
            if touches:
                self._run([], touches)
        return plan.results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Async twin of `batch`."""
        if self._aclient is None:
            return await asyncio.to_thread(self.batch, list(ops))
        plan = plan_batch(ops)
        queries: dict[str, list[float]] = {}
        vectors: dict[ItemId, dict[str, list[float]]] | None = None
        if self.embeddings is not None:
            if plan.queries:
                found = await asyncio.gather(*map(self.embeddings.aembed_query, plan.queries))
                queries = dict(zip(plan.queries, found, strict=True))
            texts = texts_to_embed(plan.puts, self._fields)
            embedded = await self.embeddings.aembed_documents(list(texts)) if texts else []
            vectors = vectors_by_item(texts, embedded)
        reply = await self._arun(plan.read_args, plan.write_args(vectors))
        if plan.read_args:
            touches = plan.apply_reads(reply[0], query_vectors=queries, dims=self._dims)
            if touches:
                await self._arun([], touches)
        return plan.results

    def _calls(
        self, reads: Sequence[str], writes: Sequence[str | bytes]
    ) -> list[tuple[str, list[str | bytes]]]:
        head: list[str | bytes] = [*self._keys.fixed, self._keys.base]
        calls: list[tuple[str, list[str | bytes]]] = []
        if reads:
            calls.append((_READ_SHA, [*head, *reads]))
        if writes:
            calls.append((_WRITE_SHA, [*head, *writes]))
        return calls

    @contextmanager
    def _translated(self) -> Iterator[None]:
        with unavailable(self._server):
            try:
                yield
            except ResponseError as exc:
                raise_for_wrongtype(exc)
                raise

    def _run(self, reads: Sequence[str], writes: Sequence[str | bytes]) -> list[Any]:
        calls = self._calls(reads, writes)
        if not calls:
            return []
        with self._translated():
            for attempt in (1, 2):
                pipe = self._client.pipeline(transaction=False)
                for sha, args in calls:
                    # Not pipe.evalsha: cluster pipelines refuse it by name; the command
                    # itself routes by its keys, which share one slot.
                    pipe.execute_command("EVALSHA", sha, 4, *args)
                try:
                    return list(pipe.execute())
                except NoScriptError:
                    # A restarted or flushed server forgot the scripts; every EVALSHA of the
                    # pipeline failed, so nothing ran and the retry is safe.
                    if attempt == 2:
                        raise
                    for script in _SCRIPTS.values():
                        self._client.script_load(script)
        raise AssertionError("unreachable")

    async def _arun(self, reads: Sequence[str], writes: Sequence[str | bytes]) -> list[Any]:
        assert self._aclient is not None
        calls = self._calls(reads, writes)
        if not calls:
            return []
        with self._translated():
            for attempt in (1, 2):
                pipe = self._aclient.pipeline(transaction=False)
                for sha, args in calls:
                    pipe.execute_command("EVALSHA", sha, 4, *args)
                try:
                    return list(await pipe.execute())
                except NoScriptError:
                    if attempt == 2:
                        raise
                    for script in _SCRIPTS.values():
                        await self._aclient.script_load(script)
        raise AssertionError("unreachable")
