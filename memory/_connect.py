"""`connect`: the checkpointer, store and blackboard of one merchant, in memory or on Redis."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from shopcrew.closing import Closing
from shopcrew.errors import ConfigError
from shopcrew.memory._redis import async_client, sync_client
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard

__all__ = ["REDIS_URL_ENV", "Memory", "connect"]

REDIS_URL_ENV = "REDIS_URL"
"""The environment variable `connect` falls back to when given no URL."""


@dataclass(frozen=True, slots=True)
class Memory(Closing):
    """What the agents remember, for one merchant: use it as a context manager to close it."""

    checkpointer: BaseCheckpointSaver[str]
    """Per-thread checkpoints (`InMemorySaver` or `RedisSaver`)."""
    store: BaseStore
    """Long-term store (`InMemoryStore` or `RedisStore`)."""
    blackboard: Blackboard
    """What the agents tell each other (`InMemoryBlackboard` or `RedisBlackboard`)."""
    url: str | None = None
    """The Redis URL in use, None when in memory."""
    _closers: tuple[Callable[[], None], ...] = field(default=(), repr=False, compare=False)
    _aclosers: tuple[Callable[[], Awaitable[None]], ...] = field(
        default=(), repr=False, compare=False
    )

    def close(self) -> None:
        """Close the Redis clients `connect` opened (no-op in memory)."""
        for close in self._closers:
            close()

    async def aclose(self) -> None:
        """Close the sync and async Redis clients `connect` opened."""
        self.close()
        for aclose in self._aclosers:
            await aclose()


def connect(
    url: str | None = None, *, merchant_id: str = "default", namespace: str = "shopcrew"
) -> Memory:
    """Open one merchant's memory: in-memory defaults, or Redis when a URL is known.

    The URL is `url`, else the `REDIS_URL` environment variable. This is the one place below
    `shopcrew.settings` that reads the environment, on purpose: `memory/` may not import
    `shopcrew.settings` (it sits on the ground floor), and embedding programs that call
    `connect()` should get the same behaviour as the CLI (`REDIS_URL` or in memory). Callers
    that hold a `Settings` pass `settings.redis_url` explicitly; an empty string in either
    place means in memory.

    Args:
        url: A Redis URL (`redis://`, `rediss://`, `redis+cluster://`), or None.
        merchant_id: Whose memory: keys live under `<namespace>:<merchant_id>`.
        namespace: Key prefix shared by one deployment.

    Returns:
        The checkpointer, store and blackboard; close it (or use `with`) when done.

    Raises:
        ConfigError: `merchant_id` or `namespace` cannot name keys (empty, '.', braces), or
            the URL's scheme is not a Redis one.
    """
    if not namespace or "{" in namespace or "}" in namespace:
        raise ConfigError(f"namespace {namespace!r} must be non-empty and free of braces.")
    chosen = url if url is not None else os.environ.get(REDIS_URL_ENV)
    if not chosen:
        return Memory(
            checkpointer=InMemorySaver(),
            store=InMemoryStore(),
            blackboard=InMemoryBlackboard(merchant_id=merchant_id),
        )
    # Imported here: the in-memory path must not need the Redis modules' import cost.
    from shopcrew.memory.blackboard.redis import RedisBlackboard
    from shopcrew.memory.saver.redis import RedisSaver
    from shopcrew.memory.store.redis import RedisStore

    merchant_ns = f"{namespace}:{merchant_id}"
    client, aclient = sync_client(chosen), async_client(chosen)
    saver = RedisSaver.from_url(chosen, namespace=merchant_ns)
    store = RedisStore(client, aclient=aclient, namespace=merchant_ns)
    board = RedisBlackboard(client, store=store, merchant_id=merchant_id, namespace=namespace)
    return Memory(
        checkpointer=saver,
        store=store,
        blackboard=board,
        url=chosen,
        _closers=(saver.close, client.close),
        _aclosers=(saver.aclose, aclient.aclose),
    )
