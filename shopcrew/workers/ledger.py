"""Side effects applied exactly once across worker processes: shared state and its ledger.

`EffectLedger` is the `IdempotencyStore` the adapters of a worker are given, and the one
commit path of the merchant's shared state in Redis: `SharedRetailStore` (the τ-bench
`RetailStore` whose changed orders and customers live in Redis) and
`shopcrew.workers.SharedRecordTable` (listings, campaigns) build a `Commit` from what they
read and hand it to `EffectLedger.apply`, which writes it in **one** Lua script (`COMMIT`):
the new records, the effect's idempotency record and an entry in the merchant's effect log,
only if

- nobody committed to that state since the change read it (a version counter: optimistic
  concurrency, retried), and
- the worker still holds the lease of the thread it runs (the fencing token), and
- the effect was not applied already (then its first result is returned).

So a worker killed before the commit applied nothing, and one killed after it applied the
effect and recorded it: the next attempt finds the record. There is no window in between.

While a worker runs an event it sets `effect_scope(...)`; the ledger then keys each write by
`{event_id}:{operation}:{fingerprint of the arguments}` instead of the tool layer's
`{thread_id}:{tool_call_id}`. The rules model numbers its tool calls by position in the thread
(`call_1`, `call_2`, ...) and would give the same ids on a re-run, but a hosted model draws
new ids each time: keys derived from the event and the call's content survive both.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from shopcrew.errors import IdempotencyConflictError, LeaseLostError
from shopcrew.memory._redis import SyncClient, describe_client, unavailable
from shopcrew.tools.reference.store import Change, Record, RetailStore, TableName
from shopcrew.workers._keys import StreamKeys
from shopcrew.workers._scripts import COMMIT

__all__ = [
    "Commit",
    "EffectLedger",
    "EffectScope",
    "LeaseLostError",
    "SharedRetailStore",
    "effect_scope",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

EFFECT_TTL_MS = 30 * 24 * 3600 * 1000
"""How long an effect's idempotency record is kept: far longer than any redelivery."""


@dataclass(frozen=True, slots=True)
class EffectScope:
    """The event a worker runs and the lease it holds, for the writes made meanwhile."""

    event_id: str
    lease_key: str
    token: str


@dataclass(frozen=True, slots=True)
class _Pending:
    key: str
    operation: str
    fingerprint: str


_SCOPE: ContextVar[EffectScope | None] = ContextVar("shopcrew_effect_scope", default=None)
_PENDING: ContextVar[_Pending | None] = ContextVar("shopcrew_effect_pending", default=None)
_READS: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar("shopcrew_reads", default=None)
"""The shared records an event read so far, by `(hash key, field)` (`""`: the whole hash)."""
_WRITING: ContextVar[bool] = ContextVar("shopcrew_writing", default=False)


@contextmanager
def effect_scope(scope: EffectScope) -> Iterator[None]:
    """Key the writes made inside the block by `scope.event_id`, fenced by its lease.

    Inside the block a shared record is read from Redis once (until a write commits): the
    agent, its guard and its tools read the same order several times in one event. A write
    reads afresh, after the version it commits against.
    """
    token, reads = _SCOPE.set(scope), _READS.set({})
    try:
        yield
    finally:
        _READS.reset(reads)
        _SCOPE.reset(token)


def _read(key: tuple[str, str], fetch: Callable[[], _T]) -> _T:
    """`fetch()`, or what it gave earlier in this event (outside writes, see `effect_scope`)."""
    reads = _READS.get()
    if reads is None or _WRITING.get():
        return fetch()
    if key not in reads:
        reads[key] = fetch()
    found: _T = reads[key]
    return found


@contextmanager
def _writing() -> Iterator[None]:
    """Fresh reads inside; what the event read before is forgotten once the write is done."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)
        reads = _READS.get()
        if reads is not None:
            reads.clear()


class _AlreadyApplied(Exception):
    def __init__(self, result: str) -> None:
        self.result = result


@dataclass(frozen=True, slots=True)
class Commit:
    """What one write puts in the merchant's shared state, built from a fresh read."""

    records: dict[str, dict[str, str]]
    """Hash key -> record key -> the new record's JSON."""
    targets: list[str]
    """What changed, for the effect log (`orders:#W0000001`, `campaign:c01`)."""
    result: str
    """The write's result, recorded with the effect and returned to a repeat of it."""


class EffectLedger:
    """The `IdempotencyStore` of a worker's adapters, and the commit path of shared state.

    Args:
        client: The Redis client (the caller keeps it).
        keys: The merchant's keys.
        retries: Attempts of a commit while other writers commit the same state meanwhile.
    """

    def __init__(self, client: SyncClient, keys: StreamKeys, *, retries: int = 100) -> None:
        self.client, self.keys, self._retries = client, keys, retries
        self.merchant_id = keys.merchant_id
        self.server = describe_client(client)
        self._commit = client.register_script(COMMIT)

    def effect_key(self, key: str, operation: str, fingerprint: str) -> str:
        """The ledger key of a write: from the running event when there is one (see module)."""
        scope = _SCOPE.get()
        if scope is None:
            return key
        return f"{scope.event_id}:{operation}:{fingerprint[:32]}"

    def apply(self, version_key: str, build: Callable[[], tuple[Commit, _T]]) -> _T:
        """Commit what `build` makes of the current state, rebuilt while others commit first.

        `build` reads the shared state (after the version is read) and returns the commit and
        the value to return; when the ledger is applying an effect (`run`), the effect is
        recorded in the same script.

        Args:
            version_key: The counter of the state `build` reads (`StreamKeys.retail_version`,
                `StreamKeys.records_version(kind)`).
            build: Reads the state and builds the commit; raising commits nothing.

        Raises:
            LeaseLostError: The worker's thread lease is gone; nothing was written.
        """
        scope, pending = _SCOPE.get(), _PENDING.get()
        lease = scope.lease_key if scope else self.keys.no_lease
        for attempt in range(self._retries):
            with unavailable(self.server):
                version = _text(self.client.get(version_key) or b"0")
            commit, value = build()
            effect = ""
            if pending is not None:
                record = {
                    "op": pending.operation,
                    "fp": pending.fingerprint,
                    "result": commit.result,
                }
                effect = json.dumps(record)
            args: list[str | int] = [
                version,
                scope.token if scope else "",
                effect,
                EFFECT_TTL_MS,
                pending.operation if pending else "",
                scope.event_id if scope else "",
                ",".join(commit.targets),
            ]
            for records in commit.records.values():
                args += [len(records), *_pairs(records)]
            with unavailable(self.server):
                reply = self._commit(
                    keys=[
                        version_key,
                        pending.key if pending else self.keys.effect("-"),
                        self.keys.effects,
                        lease,
                        *commit.records,
                    ],
                    args=args,
                    client=self.client,
                )
            status = _text(reply[0])
            if status == "ok":
                return value
            if status == "fenced":
                raise LeaseLostError(lease)
            if status == "done":
                raise _AlreadyApplied(json.loads(reply[1])["result"])
            time.sleep(min(0.05, 0.001 * (attempt + 1)))
        raise RuntimeError(f"shared state of {self.merchant_id!r}: too many concurrent writers")

    def _recorded(self, rkey: str, operation: str, fingerprint: str) -> str | None:
        with unavailable(self.server):
            raw = self.client.get(rkey)
        if raw is None:
            return None
        record = json.loads(raw)
        if (record["op"], record["fp"]) != (operation, fingerprint):
            raise IdempotencyConflictError(rkey, operation=operation)
        return str(record["result"])

    def run(self, key: str, operation: str, fingerprint: str, fn: Callable[[], str]) -> str:
        """Apply `fn` (a write through `apply`) once per effect key; see the module."""
        rkey = self.keys.effect(self.effect_key(key, operation, fingerprint))
        found = self._recorded(rkey, operation, fingerprint)
        if found is not None:
            logger.warning("effect %s already applied: returning its first result", rkey)
            return found
        token = _PENDING.set(_Pending(rkey, operation, fingerprint))
        try:
            return fn()
        except _AlreadyApplied as applied:
            return applied.result
        finally:
            _PENDING.reset(token)

    async def arun(
        self, key: str, operation: str, fingerprint: str, fn: Callable[[], Awaitable[str]]
    ) -> str:
        """Async twin of `run` (the Redis reads are short and synchronous)."""
        rkey = self.keys.effect(self.effect_key(key, operation, fingerprint))
        found = self._recorded(rkey, operation, fingerprint)
        if found is not None:
            return found
        token = _PENDING.set(_Pending(rkey, operation, fingerprint))
        try:
            return await fn()
        except _AlreadyApplied as applied:
            return applied.result
        finally:
            _PENDING.reset(token)


class SharedRetailStore(RetailStore):
    """A `RetailStore` whose changed records are shared through Redis.

    The files give the initial records (loaded into each process, read-only); every write
    goes to Redis hashes, which every read consults first. Build it with
    `SharedRetailStore.load(directory, merchant_id=...)`, then `bind(client, keys)`.
    """

    _ledger: EffectLedger | None = None

    def bind(self, client: SyncClient, keys: StreamKeys, *, retries: int = 100) -> None:
        """Attach the Redis client and the merchant's keys; the caller keeps the client."""
        if keys.merchant_id != self.merchant_id:
            raise ValueError(
                f"the keys are merchant {keys.merchant_id!r}'s, the store {self.merchant_id!r}'s"
            )
        self._ledger = EffectLedger(client, keys, retries=retries)

    def _bound(self) -> EffectLedger:
        if self._ledger is None:
            raise ValueError("call SharedRetailStore.bind(client, keys) before using the store")
        return self._ledger

    def get(self, table: TableName, key: str) -> Record | None:
        """The current record: the shared one when changed, else the file's."""
        ledger = self._bound()
        hash_key = ledger.keys.retail(table)
        with unavailable(ledger.server):
            raw = _read((hash_key, key), lambda: ledger.client.hget(hash_key, key))
        if raw is not None:
            record: Record = json.loads(raw)
            return record
        return super().get(table, key)

    def items(self, table: TableName) -> Iterator[tuple[str, Record]]:
        """`(key, record)` in file order, with the shared records."""
        ledger = self._bound()
        hash_key = ledger.keys.retail(table)
        with unavailable(ledger.server):
            changed: dict[Any, Any] = _read((hash_key, ""), lambda: ledger.client.hgetall(hash_key))
        shared = {_text(k): v for k, v in changed.items()}
        for key, record in super().items(table):
            raw = shared.get(key)
            yield key, (json.loads(raw) if raw is not None else record)

    def write(self, change: Callable[[RetailStore], tuple[Change, _T]]) -> _T:
        """Run `change` and commit its records, retried while others commit meanwhile.

        Raises:
            LeaseLostError: The worker's thread lease is gone; nothing was written.
        """
        ledger = self._bound()

        def build() -> tuple[Commit, _T]:
            result_change, result = change(self)
            tables: dict[TableName, dict[str, Record]] = {
                "orders": result_change.orders,
                "users": result_change.users,
            }
            targets: list[str] = []
            for table, records in tables.items():
                for key in records:
                    if RetailStore.get(self, table, key) is None:
                        raise KeyError(
                            f"a change may only replace existing {table}; {key!r} is new"
                        )
                    targets.append(f"{table}:{key}")
            encoded = {
                ledger.keys.retail(table): _encoded(records) for table, records in tables.items()
            }
            return Commit(encoded, targets, json.dumps(result)), result

        with _writing():
            return ledger.apply(ledger.keys.retail_version, build)


def _encoded(records: dict[str, Record]) -> dict[str, str]:
    return {key: json.dumps(record, ensure_ascii=False) for key, record in records.items()}


def _pairs(records: dict[str, str]) -> list[str]:
    return [part for pair in records.items() for part in pair]


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
