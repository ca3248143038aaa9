"""Redis client plumbing shared by the memory backends: URLs, retries, error translation.

URLs:

- `redis://host:port/db`, `rediss://...`, `unix://...`: one standalone server.
- `redis+cluster://host:port`, `rediss+cluster://host:port`, or any `redis://` URL with the
  query flag `?cluster=true`: a Redis Cluster reached through that seed node.

Every client gets bounded retries with exponential backoff on transient errors
(`Retry(ExponentialBackoff(), RETRIES)`); what still fails is raised as
`RedisUnavailableError` naming the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.asyncio.retry
import redis.cluster
from redis.backoff import ExponentialBackoff
from redis.exceptions import (
    ClusterDownError,
    OutOfMemoryError,
    ResponseError,
)
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
)
from redis.exceptions import (
    TimeoutError as RedisTimeoutError,
)
from redis.retry import Retry

from shopcrew.errors import ConfigError, KeyTypeError, RedisOutOfMemoryError, RedisUnavailableError

__all__ = [
    "LUA_CHECK_TYPE",
    "RETRIES",
    "TRANSIENT_ERRORS",
    "WRONGTYPE_MARK",
    "AsyncClient",
    "RedisTarget",
    "SyncClient",
    "acheck_key_type",
    "async_client",
    "check_key_type",
    "describe_client",
    "parse_redis_url",
    "raise_for_wrongtype",
    "sync_client",
    "unavailable",
]

SyncClient: TypeAlias = "redis.Redis | redis.cluster.RedisCluster"
"""A synchronous client: one server or a cluster."""

AsyncClient: TypeAlias = "redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster"
"""An asyncio client: one server or a cluster."""

RETRIES = 5
"""Retries of one command on a transient error before `RedisUnavailableError`."""

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ClusterDownError,
    ConnectionError,
    OSError,
)
"""Errors that mean "the server could not be reached", translated to `RedisUnavailableError`."""

WRONGTYPE_MARK = "SHOPCREW_WRONGTYPE"
"""Prefix of the error our Lua scripts raise when a key holds a type we did not write.

The full reply is `SHOPCREW_WRONGTYPE <key> <expected> <found>`.
"""

_CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
_SCHEMES = frozenset({"redis", "rediss", "unix", *_CLUSTER_SCHEMES})
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """A parsed Redis URL."""

    url: str
    """The URL redis-py understands (cluster markers removed)."""
    cluster: bool
    """Whether the URL names a Redis Cluster."""
    server: str
    """A printable name of the server, without credentials, for error messages."""


def parse_redis_url(url: str) -> RedisTarget:
    """Split a shopcrew Redis URL into the redis-py URL and the cluster flag.

    Args:
        url: `redis://`, `rediss://`, `unix://`, `redis+cluster://` or `rediss+cluster://`;
            `?cluster=true` also selects cluster mode.

    Returns:
        The target, whose `server` is safe to print.

    Raises:
        ConfigError: the scheme is none of the above.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ConfigError(
            f"Redis URL '{parts.scheme}://{parts.hostname or ''}…': the scheme must be one of "
            f"{', '.join(s + '://' for s in sorted(_SCHEMES))} (e.g. redis://127.0.0.1:6379/0)."
        )
    cluster = scheme in _CLUSTER_SCHEMES
    scheme = _CLUSTER_SCHEMES.get(scheme, scheme)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k.lower() != "cluster"]
    cluster = cluster or any(k.lower() == "cluster" and v.lower() in _TRUE for k, v in query)
    plain = urlunsplit((scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))
    host = parts.hostname or parts.path or "localhost"
    where = f"{host}:{parts.port}" if parts.port else host
    server = f"{'redis+cluster' if cluster else scheme}://{where}"
    return RedisTarget(url=plain, cluster=cluster, server=server)


def _retry() -> Retry:
    return Retry(ExponentialBackoff(cap=1.0, base=0.02), RETRIES)


def _async_retry() -> redis.asyncio.retry.Retry:
    return redis.asyncio.retry.Retry(ExponentialBackoff(cap=1.0, base=0.02), RETRIES)


def sync_client(url: str, **kwargs: Any) -> SyncClient:
    """Build a synchronous client (standalone or cluster) with bounded retries.

    Args:
        url: A shopcrew Redis URL (see the module docstring).
        **kwargs: Extra keyword arguments for redis-py's `from_url`.

    Returns:
        A client the caller owns and must close.
    """
    target = parse_redis_url(url)
    kwargs.setdefault("socket_connect_timeout", 5)
    kwargs.setdefault("socket_timeout", 10)
    if target.cluster:
        return redis.cluster.RedisCluster.from_url(target.url, retry=_retry(), **kwargs)
    return redis.Redis.from_url(
        target.url, retry=_retry(), retry_on_error=[RedisConnectionError], **kwargs
    )


def async_client(url: str, **kwargs: Any) -> AsyncClient:
    """Build an asyncio client (standalone or cluster) with bounded retries.

    Args:
        url: A shopcrew Redis URL (see the module docstring).
        **kwargs: Extra keyword arguments for redis-py's `from_url`.

    Returns:
        A client the caller owns and must close (`await client.aclose()`).
    """
    target = parse_redis_url(url)
    kwargs.setdefault("socket_connect_timeout", 5)
    kwargs.setdefault("socket_timeout", 10)
    if target.cluster:
        return redis.asyncio.cluster.RedisCluster.from_url(
            target.url, retry=_async_retry(), **kwargs
        )
    return redis.asyncio.Redis.from_url(
        target.url, retry=_async_retry(), retry_on_error=[RedisConnectionError], **kwargs
    )


def describe_client(client: SyncClient | AsyncClient | None) -> str:
    """Name the server a client talks to, for error messages (no credentials)."""
    if client is None:
        return "redis (no client)"
    if isinstance(client, redis.cluster.RedisCluster | redis.asyncio.cluster.RedisCluster):
        nodes = client.get_nodes()
        first = f"{nodes[0].host}:{nodes[0].port}" if nodes else "?"
        return f"redis+cluster://{first}"
    kw = client.connection_pool.connection_kwargs
    if "path" in kw:
        return f"unix://{kw['path']}"
    return f"redis://{kw.get('host', 'localhost')}:{kw.get('port', 6379)}"


@contextmanager
def unavailable(server: str) -> Iterator[None]:
    """Translate connection failures and OOM refusals inside the block into typed errors.

    Works around `await` too: `with unavailable(name): await client.get(k)`.

    Args:
        server: The server name to put in the error (see `describe_client`).

    Raises:
        RedisUnavailableError: The server could not be reached after the client's retries.
        RedisOutOfMemoryError: The server is at `maxmemory` and refused a write.
    """
    try:
        yield
    except (RedisUnavailableError, RedisOutOfMemoryError):
        raise
    except OutOfMemoryError as exc:
        raise RedisOutOfMemoryError(server, str(exc).split(". script:")[0]) from exc
    except TRANSIENT_ERRORS as exc:
        raise RedisUnavailableError(server, f"{type(exc).__name__}: {exc}") from exc


def raise_for_wrongtype(exc: ResponseError) -> None:
    """Raise `KeyTypeError` if `exc` is a wrong-type reply from one of our Lua scripts.

    Args:
        exc: An error returned by Redis.

    Raises:
        KeyTypeError: The reply was `SHOPCREW_WRONGTYPE <key> <expected> <found>`.
    """
    text = str(exc)
    at = text.find(WRONGTYPE_MARK)
    if at < 0:
        return
    fields = text[at + len(WRONGTYPE_MARK) :].split()
    key, expected, found = [*fields, "?", "?", "?"][:3]
    raise KeyTypeError(key, expected=expected, found=found) from exc


def check_key_type(
    client: redis.Redis | redis.cluster.RedisCluster, key: str, expected: str
) -> None:
    """Check that `key` is missing or holds the Redis type `expected`.

    Args:
        client: A synchronous client.
        key: The key to check.
        expected: A Redis type name as `TYPE` answers it (`string`, `hash`, `zset`...).

    Raises:
        KeyTypeError: The key exists with another type; nothing was changed.
    """
    found = client.type(key)
    name = found.decode() if isinstance(found, bytes) else str(found)
    if name not in ("none", expected):
        raise KeyTypeError(key, expected=expected, found=name)


async def acheck_key_type(
    client: redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster, key: str, expected: str
) -> None:
    """Async twin of `check_key_type`."""
    found = await client.type(key)
    name = found.decode() if isinstance(found, bytes) else str(found)
    if name not in ("none", expected):
        raise KeyTypeError(key, expected=expected, found=name)


LUA_CHECK_TYPE = f"""
local function shopcrew_check_type(key, expected)
  local t = redis.call('TYPE', key)['ok']
  if t ~= 'none' and t ~= expected then
    return redis.error_reply('{WRONGTYPE_MARK} ' .. key .. ' ' .. expected .. ' ' .. t)
  end
  return nil
end
"""
"""A Lua prelude: `local err = shopcrew_check_type(key, 'hash'); if err then return err end`."""
