"""Idempotent writes: the same key applies an operation once and returns the first result.

A write that may be retried (a graph step re-run after a crash, a tool call replayed, a
client that timed out and sent again) goes through an `IdempotencyStore`:

```python
result = store.run(key, "cancel_order", fingerprint("cancel_order", args), lambda: apply(args))
```

- The first call with `key` runs `fn` and records `(operation, fingerprint, result)`.
- A later call with the same key and the same operation and fingerprint returns the recorded
  result without running `fn`.
- The same key with another operation or fingerprint raises `IdempotencyConflictError`: a key
  names one request, and reusing it for another is a caller bug.
- Concurrent callers with one key: exactly one runs `fn`, the others wait and get its result.
- If `fn` raises, nothing is recorded and the exception propagates; the next call applies.

Results are strings (a tool's result, or a model's JSON): every backend can store them as
they are. `InMemoryIdempotencyStore` (here) serves one process;
`shopcrew.tools.idempotency.RedisIdempotencyStore` shares keys between processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from pydantic import JsonValue

from shopcrew.errors import IdempotencyConflictError

__all__ = ["IdempotencyStore", "InMemoryIdempotencyStore", "fingerprint"]


def fingerprint(operation: str, arguments: Mapping[str, JsonValue]) -> str:
    """A request fingerprint: SHA-256 (hex) of the operation and its arguments as canonical JSON.

    Two requests have the same fingerprint exactly when they have the same operation and
    equal arguments (key order does not matter).
    """
    canonical = json.dumps(
        [operation, arguments], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class IdempotencyStore(Protocol):
    """Applies each keyed operation at most once per merchant and remembers its result."""

    merchant_id: str

    def run(self, key: str, operation: str, fingerprint: str, fn: Callable[[], str]) -> str:
        """Run `fn` unless `key` was already applied; return the (first) result.

        Args:
            key: The idempotency key, unique per request (for example thread id + tool call id).
            operation: The operation's name, e.g. `"set_campaign_budget"`.
            fingerprint: The request's fingerprint (see `fingerprint()`).
            fn: Applies the operation and returns its result.

        Raises:
            IdempotencyConflictError: `key` was used for another operation or fingerprint.
            IdempotencyInProgressError: Another caller is still applying `key` (backends that
                wait a bounded time only).
        """
        ...

    async def arun(
        self, key: str, operation: str, fingerprint: str, fn: Callable[[], Awaitable[str]]
    ) -> str:
        """Async twin of `run`: `fn` returns an awaitable."""
        ...


@dataclass(frozen=True, slots=True)
class _Applied:
    operation: str
    fingerprint: str
    result: str
    expires_at: float | None


class InMemoryIdempotencyStore:
    """An `IdempotencyStore` in this process's memory, for tests and single-process runs.

    Concurrency: one lock per key, held while `fn` runs, so concurrent callers of one key
    (threads, or tasks of an event loop) apply it once. Async callers poll the same lock
    without blocking the loop, so sync and async callers exclude each other too.

    Args:
        merchant_id: The merchant whose keys these are.
        ttl: Seconds a result is remembered, or None for as long as the store lives.
        clock: Monotonic time source (seconds), injectable for tests of `ttl`.
    """

    def __init__(
        self,
        *,
        merchant_id: str = "default",
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.merchant_id = merchant_id
        self._ttl, self._clock = ttl, clock
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._applied: dict[str, _Applied] = {}
        self._running: dict[str, tuple[str, str]] = {}

    def _lookup(self, key: str, operation: str, fingerprint: str) -> _Applied | None:
        """The recorded result of `key`, after checking the request matches (under `_guard`)."""
        applied = self._applied.get(key)
        if applied is not None and applied.expires_at is not None:
            if self._clock() >= applied.expires_at:
                del self._applied[key]
                applied = None
        seen = (applied.operation, applied.fingerprint) if applied else self._running.get(key)
        if seen is not None and seen != (operation, fingerprint):
            raise IdempotencyConflictError(key, operation=operation)
        return applied

    def _lock_for(self, key: str, operation: str, fingerprint: str) -> _Applied | threading.Lock:
        with self._guard:
            applied = self._lookup(key, operation, fingerprint)
            return applied if applied is not None else self._locks.setdefault(key, threading.Lock())

    def _begin(self, key: str, operation: str, fingerprint: str) -> _Applied | None:
        with self._guard:
            applied = self._lookup(key, operation, fingerprint)
            if applied is None:
                self._running[key] = (operation, fingerprint)
            return applied

    def _finish(self, key: str, operation: str, fingerprint: str, result: str | None) -> None:
        with self._guard:
            self._running.pop(key, None)
            if result is not None:
                expires = None if self._ttl is None else self._clock() + self._ttl
                self._applied[key] = _Applied(operation, fingerprint, result, expires)

    def run(self, key: str, operation: str, fingerprint: str, fn: Callable[[], str]) -> str:
        """See `IdempotencyStore.run`."""
        found = self._lock_for(key, operation, fingerprint)
        if isinstance(found, _Applied):
            return found.result
        with found:
            applied = self._begin(key, operation, fingerprint)
            if applied is not None:
                return applied.result
            result: str | None = None
            try:
                result = fn()
            finally:
                self._finish(key, operation, fingerprint, result)
            return result

    async def arun(
        self, key: str, operation: str, fingerprint: str, fn: Callable[[], Awaitable[str]]
    ) -> str:
        """See `IdempotencyStore.arun`."""
        found = self._lock_for(key, operation, fingerprint)
        if isinstance(found, _Applied):
            return found.result
        delay = 0.001
        # Polling, not `to_thread(lock.acquire)`: a cancelled waiter must never own the lock.
        while not found.acquire(blocking=False):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        try:
            applied = self._begin(key, operation, fingerprint)
            if applied is not None:
                return applied.result
            result: str | None = None
            try:
                result = await fn()
            finally:
                self._finish(key, operation, fingerprint, result)
            return result
        finally:
            found.release()
