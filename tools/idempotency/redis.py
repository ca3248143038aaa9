"""An `IdempotencyStore` on Redis, shared by every process that uses the same namespace.

Protocol, per key `{namespace}:{merchant_id}:idem:{key}` (a plain string holding JSON):

1. **Claim.** `SET key {"state": "pending", "op", "fp", "token"} NX PX lease`. Only one
   caller's `SET NX` succeeds; it runs the operation.
2. **Record.** The claimer replaces its claim by `{"state": "done", "op", "fp", "result"}`
   (with `PX ttl` when a TTL is set) in a Lua script that first checks the key still holds
   *its own* claim (the random token), so a claimer whose lease ran out never overwrites a
   newer claim or result.
3. **Wait.** Any other caller reads the key: another operation or fingerprint raises
   `IdempotencyConflictError` at once; a `done` record returns its result; a `pending` claim
   is polled until it becomes `done` or disappears, for at most `wait` seconds (then
   `IdempotencyInProgressError`).
4. **Failure.** If the operation raises, the claimer deletes its claim (again only if it is
   still its own), so the next caller applies. If the claimer *crashes*, its claim expires
   after `lease` seconds and the next caller (a retry, or a waiter) claims and applies.

The lease is the one trade-off: it must be longer than the slowest operation. An operation
still running when its lease expires can be applied a second time by a waiter; the first
claimer then finds its claim gone, logs a warning and does not overwrite the newer record.
Operations here are single store writes (milliseconds), and the default lease is 30 seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from uuid import uuid4

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shopcrew.closing import Closing
from shopcrew.errors import (
    ConfigError,
    IdempotencyConflictError,
    IdempotencyInProgressError,
    KeyTypeError,
    RedisUnavailableError,
)

__all__ = ["RedisIdempotencyStore"]

logger = logging.getLogger(__name__)

# Replace our own claim (ARGV[1], compared whole: it holds a random token) by the result.
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2])
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
"""
# Drop our own claim after a failed operation, so that the next caller applies.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_LEASE_LOST = "idempotency key %s: the lease ran out before %s finished; result not recorded"


@dataclass(frozen=True, slots=True)
class _Record:
    state: Literal["pending", "done"]
    operation: str
    fingerprint: str
    result: str | None


def _decode(key: str, raw: bytes | str) -> _Record:
    try:
        data = json.loads(raw)
        return _Record(data["state"], data["op"], data["fp"], data.get("result"))
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyTypeError(key, expected="idempotency record (JSON)", found="other data") from exc


def _encode_claim(operation: str, fingerprint: str) -> str:
    return json.dumps(
        {"state": "pending", "op": operation, "fp": fingerprint, "token": uuid4().hex}
    )


def _encode_done(operation: str, fingerprint: str, result: str) -> str:
    return json.dumps(
        {"state": "done", "op": operation, "fp": fingerprint, "result": result}, ensure_ascii=False
    )


class RedisIdempotencyStore(Closing):
    """An `IdempotencyStore` on a Redis server (plain commands and two tiny Lua scripts).

    Args:
        client: A synchronous Redis client, for `run`. Not closed by this store.
        aclient: An asyncio Redis client, for `arun`. Not closed by this store.
        namespace: Key prefix shared with the rest of shopcrew's Redis data.
        merchant_id: The merchant whose keys these are.
        ttl: Seconds a result is remembered, or None to keep it.
        lease: Seconds a claim lives; a crashed claimer's key is free again after it.
        wait: Seconds a caller waits for another caller's claim; defaults to `lease` + 5.
        poll: Seconds between reads while waiting.
    """

    def __init__(
        self,
        client: Redis | None = None,
        *,
        aclient: AsyncRedis | None = None,
        namespace: str = "shopcrew",
        merchant_id: str = "default",
        ttl: float | None = None,
        lease: float = 30.0,
        wait: float | None = None,
        poll: float = 0.02,
    ) -> None:
        if lease <= 0 or (ttl is not None and ttl <= 0):
            raise ConfigError("lease and ttl must be positive seconds (ttl may be None)")
        self.merchant_id, self.namespace = merchant_id, namespace
        self._client, self._aclient = client, aclient
        self._ttl_ms = "" if ttl is None else str(max(1, int(ttl * 1000)))
        self._lease_ms = max(1, int(lease * 1000))
        self._wait = lease + 5.0 if wait is None else wait
        self._poll = poll
        self._url: str | None = None

    @classmethod
    def from_url(cls, url: str, **kwargs: object) -> RedisIdempotencyStore:
        """A store that opens (and on `close`/`aclose` closes) its own clients for `url`.

        Keyword arguments are those of the constructor except the clients.
        """
        store = cls(Redis.from_url(url), **kwargs)  # type: ignore[arg-type]
        store._url = url
        return store

    def close(self) -> None:
        """Close the synchronous client, if `from_url` opened it."""
        if self._url is not None and self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Close both clients, if `from_url` opened them."""
        self.close()
        if self._url is not None and self._aclient is not None:
            await self._aclient.aclose()

    def redis_key(self, key: str) -> str:
        """The Redis key of an idempotency key: `{namespace}:{merchant_id}:idem:{key}`."""
        return f"{self.namespace}:{self.merchant_id}:idem:{key}"

    def _sync(self) -> Redis:
        if self._client is None:
            raise ConfigError("RedisIdempotencyStore.run needs `client=` (or use `from_url`)")
        return self._client

    def _async(self) -> AsyncRedis:
        if self._aclient is None:
            if self._url is None:
                raise ConfigError("RedisIdempotencyStore.arun needs `aclient=` (or use `from_url`)")
            self._aclient = AsyncRedis.from_url(self._url)
        return self._aclient

    def _existing(
        self, key: str, raw: bytes | str, operation: str, fp: str, *, deadline: float
    ) -> str | None:
        """The recorded result, or None to keep waiting on a claim; raises on conflict or time."""
        record = _decode(key, raw)
        if (record.operation, record.fingerprint) != (operation, fp):
            raise IdempotencyConflictError(key, operation=operation)
        if record.state == "done" and record.result is not None:
            return record.result
        if time.monotonic() >= deadline:
            raise IdempotencyInProgressError(key, operation=operation, waited=self._wait)
        return None

    def _unavailable(self, exc: Exception) -> RedisUnavailableError:
        return RedisUnavailableError(self._url or "the configured server", str(exc))

    def run(self, key: str, operation: str, fingerprint: str, fn: Callable[[], str]) -> str:
        """See `IdempotencyStore.run`; the claim protocol is in the module docstring."""
        client, rkey = self._sync(), self.redis_key(key)
        deadline = time.monotonic() + self._wait
        try:
            while True:
                claim = _encode_claim(operation, fingerprint)
                if client.set(rkey, claim, nx=True, px=self._lease_ms):
                    break
                raw = client.get(rkey)
                if raw is None:
                    continue  # released or expired between SET and GET: claim again
                found = self._existing(key, raw, operation, fingerprint, deadline=deadline)
                if found is not None:
                    return found
                time.sleep(self._poll)
            try:
                result = fn()
            except BaseException:
                client.eval(_RELEASE, 1, rkey, claim)
                raise
            done = _encode_done(operation, fingerprint, result)
            if not client.eval(_FINISH, 1, rkey, claim, done, self._ttl_ms):
                logger.warning(
                    "idempotency key %s: lease ran out before %s finished", key, operation
                )
            return result
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise self._unavailable(exc) from exc
        except ResponseError as exc:
            raise KeyTypeError(rkey, expected="string", found=str(exc)) from exc

    async def arun(
        self, key: str, operation: str, fingerprint: str, fn: Callable[[], Awaitable[str]]
    ) -> str:
        """See `IdempotencyStore.arun`; the claim protocol is in the module docstring."""
        client, rkey = self._async(), self.redis_key(key)
        deadline = time.monotonic() + self._wait
        try:
            while True:
                claim = _encode_claim(operation, fingerprint)
                if await client.set(rkey, claim, nx=True, px=self._lease_ms):
                    break
                raw = await client.get(rkey)
                if raw is None:
                    continue
                found = self._existing(key, raw, operation, fingerprint, deadline=deadline)
                if found is not None:
                    return found
                await asyncio.sleep(self._poll)
            try:
                result = await fn()
            except BaseException:
                await client.eval(_RELEASE, 1, rkey, claim)
                raise
            done = _encode_done(operation, fingerprint, result)
            finished = await client.eval(_FINISH, 1, rkey, claim, done, self._ttl_ms)
            if not finished:
                logger.warning(
                    "idempotency key %s: lease ran out before %s finished", key, operation
                )
            return result
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise self._unavailable(exc) from exc
        except ResponseError as exc:
            raise KeyTypeError(rkey, expected="string", found=str(exc)) from exc
