"""A lane: one merchant's crew, memory and shared state, as a worker serves it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph.state import CompiledStateGraph

from shopcrew.agents.policy import Policy
from shopcrew.graphs.crew import build_crew
from shopcrew.memory import Memory, connect
from shopcrew.memory._redis import SyncClient, sync_client
from shopcrew.tools.adapters import REFERENCE_KB, REFERENCE_STORE_DIR, Adapters
from shopcrew.tools.reference.ads import JsonAdsAdapter
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import JsonListingAdapter
from shopcrew.workers._keys import StreamKeys
from shopcrew.workers.ledger import EffectLedger, SharedRetailStore
from shopcrew.workers.records import SharedRecordTable

__all__ = ["Lane", "open_lane", "shared_adapters"]


@dataclass(slots=True)
class Lane:
    """What a worker needs to run one merchant's events."""

    keys: StreamKeys
    """The merchant's stream and keys."""
    crew: CompiledStateGraph[Any, Any, Any, Any]
    """The merchant's crew, compiled with the shared checkpointer and store."""
    closers: list[Callable[[], None]] = field(default_factory=list)
    """Called by `close`: the memory clients the lane opened."""

    @property
    def merchant_id(self) -> str:
        """The merchant."""
        return self.keys.merchant_id

    def close(self) -> None:
        """Close what `open_lane` opened."""
        for close in self.closers:
            close()


def shared_adapters(
    client: SyncClient,
    keys: StreamKeys,
    *,
    store_dir: str | os.PathLike[str] | None = None,
) -> Adapters:
    """A merchant's adapters over its shared state: every write through the effect ledger.

    Orders, customers, listings and campaigns start from the store's files and change in
    Redis only (the files are never written), so every worker of the merchant reads what any
    of them wrote, and each write is committed once with its idempotency record.

    Args:
        client: The Redis client of the shared state (the caller keeps it).
        keys: The merchant's keys.
        store_dir: The store's files (τ-bench tables, optional listings, campaigns, kb);
            the reference store when omitted.
    """
    root = Path(store_dir) if store_dir is not None else REFERENCE_STORE_DIR
    merchant = keys.merchant_id
    ledger = EffectLedger(client, keys)
    store = SharedRetailStore.load(root, merchant_id=merchant)
    store.bind(client, keys)
    shared = SharedRecordTable.over(ledger)
    if store_dir is None and REFERENCE_KB.is_file():
        kb = JsonKnowledgeBaseAdapter.from_file(REFERENCE_KB, merchant_id=merchant)
    else:
        kb = JsonKnowledgeBaseAdapter.from_dir(root, merchant_id=merchant)
    return Adapters.from_store(
        store,
        kb=kb,
        listings=JsonListingAdapter.from_dir(
            root, merchant_id=merchant, persist=False, table=shared
        ),
        ads=JsonAdsAdapter.from_dir(root, merchant_id=merchant, persist=False, table=shared),
        idempotency=ledger,
    )


def open_lane(
    url: str,
    *,
    model: BaseChatModel,
    merchant_id: str = "default",
    namespace: str = "shopcrew",
    stream: str = "events",
    store_dir: str | os.PathLike[str] | None = None,
    adapters: Callable[[Adapters], Adapters] | None = None,
    policy: Policy | None = None,
) -> Lane:
    """Connect a merchant's memory on Redis and build its crew over the shared store.

    Args:
        url: The Redis URL (`redis://`, `redis+cluster://`...).
        model: The CS agent's chat model.
        merchant_id: The merchant.
        namespace: Key prefix of the deployment.
        stream: The event stream's name.
        store_dir: The store's files; the reference store when omitted.
        adapters: Wraps the shared adapters before the crew is built (e.g. instrumentation).
        policy: The merchant policy (approval thresholds...); defaults apply when omitted.
    """
    keys = StreamKeys(namespace, merchant_id, stream)
    memory: Memory = connect(url, merchant_id=merchant_id, namespace=namespace)
    client = sync_client(url)
    built = shared_adapters(client, keys, store_dir=store_dir)
    crew = build_crew(
        model=model,
        checkpointer=memory.checkpointer,
        store=memory.store,
        adapters=adapters(built) if adapters is not None else built,
        merchant_id=merchant_id,
        policy=policy,
        blackboard=memory.blackboard,
    )
    return Lane(keys=keys, crew=crew, closers=[client.close, memory.close])
