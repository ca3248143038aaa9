"""`Worker`: consumes crew events from Redis Streams, one thread at a time, crash-safe."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Literal
from uuid import uuid4

from redis.exceptions import ResponseError

from shopcrew.errors import (
    AgentUnavailableError,
    ApprovalExpiredError,
    ApprovalMismatchError,
    IdempotencyConflictError,
    InvalidEventError,
    LeaseLostError,
    RedisUnavailableError,
    StaleApprovalError,
    UnknownApprovalError,
)
from shopcrew.graphs.events import CrewEvent, parse_event
from shopcrew.memory._redis import TRANSIENT_ERRORS, SyncClient, describe_client, unavailable
from shopcrew.workers._crew_events import lease_thread, run_event
from shopcrew.workers._entries import (
    HeldEntry,
    as_text,
    entry_field,
    hand_back,
    stream_order,
    trace_carrier,
)
from shopcrew.workers._scripts import BEGIN, DEAD_LETTER, FINISH, NOT_HEAD, RENEW, TOUCH
from shopcrew.workers.lane import Lane
from shopcrew.workers.ledger import EffectScope, effect_scope
from shopcrew.workers.settings import WorkerSettings, WorkerStats, default_consumer

__all__ = ["Worker", "WorkerSettings", "WorkerStats", "default_consumer"]

logger = logging.getLogger(__name__)

_INFRA_ERRORS: tuple[type[Exception], ...] = (RedisUnavailableError, *TRANSIENT_ERRORS)
"""Redis could not be reached: the event is not at fault; retry once it answers."""

PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    InvalidEventError,
    AgentUnavailableError,
    UnknownApprovalError,
    StaleApprovalError,
    ApprovalMismatchError,
    ApprovalExpiredError,
    IdempotencyConflictError,
)
"""Errors another attempt cannot fix: the event goes to the dead-letter stream at once."""

Outcome = Literal["done", "dead", "deferred", "retry", "lost"]


class Worker:
    """Runs crew events from the merchants' streams; see the package docstring for the design.

    Args:
        client: A synchronous Redis client for the streams (the caller keeps it).
        lanes: One per merchant served.
        settings: Group, consumer name and timings.
    """

    def __init__(
        self, client: SyncClient, lanes: Sequence[Lane], *, settings: WorkerSettings | None = None
    ) -> None:
        if not lanes:
            raise ValueError("a worker needs at least one lane (merchant)")
        self.settings = settings or WorkerSettings()
        self.lanes = list(lanes)
        self.stats = WorkerStats()
        self._client = client
        self._server = describe_client(client)
        self._token = f"{self.settings.consumer}:{uuid4().hex[:12]}"
        self._held: dict[tuple[str, str], HeldEntry] = {}
        self._stop = threading.Event()
        self._stop_beating = threading.Event()
        self._current: str | None = None
        self._groups: set[str] = set()
        self._begin = client.register_script(BEGIN)
        self._renew = client.register_script(RENEW)
        self._touch = client.register_script(TOUCH)
        self._finish = client.register_script(FINISH)
        self._dead = client.register_script(DEAD_LETTER)

    # -- control -----------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to stop after the event in hand (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether `stop` was called."""
        return self._stop.is_set()

    def run(self, *, max_events: int | None = None) -> WorkerStats:
        """Consume until `stop()` (or `max_events` processed or dead-lettered); reconnects.

        Returns:
            The counts of what was done.
        """
        self._stop_beating.clear()
        beat = threading.Thread(target=self._heartbeat, name="worker-heartbeat", daemon=True)
        beat.start()
        delay, next_claim = 0.05, 0.0
        try:
            while not self._stop.is_set():
                if max_events is not None:
                    if self.stats.processed + self.stats.dead_lettered >= max_events:
                        break
                try:
                    if time.monotonic() >= next_claim:
                        self._claim_stale()
                        next_claim = time.monotonic() + self.settings.min_idle_ms / 2000
                    self._step()
                    delay = 0.05
                except _INFRA_ERRORS as exc:
                    self.stats.reconnects += 1
                    logger.warning("Redis unavailable (%s); retrying in %.2fs", exc, delay)
                    self._groups.clear()
                    self._stop.wait(delay)
                    delay = min(delay * 2, 5.0)
        finally:
            self._stop.set()
            self._stop_beating.set()
            beat.join(timeout=5)
            self._hand_back()
        return self.stats

    # -- the loop ----------------------------------------------------------------------

    def _ensure_group(self, lane: Lane) -> None:
        if lane.keys.stream in self._groups:
            return
        try:
            with unavailable(self._server):
                self._client.xgroup_create(
                    lane.keys.stream, self.settings.group, id="0", mkstream=True
                )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._groups.add(lane.keys.stream)

    def _hold(self, lane: Lane, entries: Any) -> None:
        for stream_id, fields in entries or []:
            sid = as_text(stream_id)
            self._held.setdefault((lane.merchant_id, sid), HeldEntry(lane, sid, dict(fields or {})))

    def _claim_stale(self) -> None:
        """Take over entries whose worker stopped sending heartbeats (`XAUTOCLAIM`)."""
        for lane in self.lanes:
            self._ensure_group(lane)
            room = self.settings.batch - len(self._held)
            if room <= 0:
                return
            with unavailable(self._server):
                reply: Any = self._client.xautoclaim(
                    lane.keys.stream,
                    self.settings.group,
                    self.settings.consumer,
                    min_idle_time=self.settings.min_idle_ms,
                    start_id="0-0",
                    count=room,
                )
            if reply[1]:
                logger.warning("claimed %d stale entries of %s", len(reply[1]), lane.merchant_id)
            self._hold(lane, reply[1])
            for deleted in reply[2] if len(reply) > 2 else []:
                logger.warning("entry %s was deleted while pending", as_text(deleted))

    def _step(self) -> None:
        now = time.monotonic()
        progressed = False
        for key in sorted(self._held, key=lambda k: (k[0], stream_order(k[1]))):
            if self._stop.is_set():
                return
            held = self._held.get(key)
            if held is None or held.not_before > now:
                continue
            outcome = self._attempt(held)
            if outcome in ("done", "dead", "lost"):
                self._held.pop(key, None)
                progressed = True
        room = self.settings.batch - len(self._held)
        if room <= 0 or self._stop.is_set():
            if not progressed:
                self._stop.wait(0.05)
            return
        block = None if progressed else (100 if self._held else self.settings.block_ms)
        for lane in self.lanes:
            self._ensure_group(lane)
            wait = None if block is None else max(1, block // len(self.lanes))
            with unavailable(self._server):
                reply: Any = self._client.xreadgroup(
                    self.settings.group,
                    self.settings.consumer,
                    {lane.keys.stream: ">"},
                    count=room,
                    block=wait,
                )
            for _, entries in reply or []:
                self._hold(lane, entries)

    # -- one attempt ---------------------------------------------------------------------

    def _attempt(self, held: HeldEntry) -> Outcome:
        lane, sid, keys = held.lane, held.stream_id, held.lane.keys
        raw = entry_field(held, "event")
        thread = entry_field(held, "thread")
        if not held.fields:
            self._dead_letter(held, "the entry was deleted from the stream", 0, "")
            return "dead"
        try:
            event = parse_event(json.loads(raw))
        except (ValueError, InvalidEventError) as exc:
            self._dead_letter(held, f"invalid event: {exc}", 0, "")
            return "dead"
        why = (
            "not in its thread's queue: add events with EventQueue.enqueue (or "
            "`shopcrew enqueue`), which keeps each thread's order"
        )
        if not thread:
            self._dead_letter(held, why, 0, "")
            return "dead"
        lease_key = keys.lease(lease_thread(lane, event, thread))
        with unavailable(self._server):
            attempts = int(
                self._begin(
                    keys=[keys.queue(thread), lease_key, keys.attempts],
                    args=[sid, self._token, self.settings.lease_ms],
                    client=self._client,
                )
            )
        if attempts == NOT_HEAD:
            with unavailable(self._server):
                queued = self._client.lpos(keys.queue(thread), sid) is not None
            if not queued:
                self._dead_letter(held, why, 0, "")
                return "dead"
        if attempts <= 0:
            self.stats.deferred += 1
            return "deferred"
        if attempts > self.settings.max_attempts:
            with unavailable(self._server):
                last = self._client.hget(keys.errors, sid)
            why = as_text(last) if last else "the worker running it stopped (crash or kill)"
            self._dead_letter(held, f"gave up after {attempts - 1} attempts: {why}", attempts - 1)
            return "dead"
        return self._run(held, event, thread, lease_key, attempts)

    def _run(
        self, held: HeldEntry, event: CrewEvent, thread: str, lease_key: str, attempts: int
    ) -> Outcome:
        """Run the event under its lease; the outcome says what becomes of its entry."""
        self._current = lease_key
        started_ms = int(time.time() * 1000)
        try:
            with effect_scope(EffectScope(event.id, lease_key, self._token)):
                run_event(held.lane, event, thread, retry=attempts > 1, parent=trace_carrier(held))
        except LeaseLostError:
            logger.warning("event %s: lease lost to another worker; dropping it", event.id)
            return "lost"
        except _INFRA_ERRORS:
            held.not_before = time.monotonic() + self.settings.retry_delay_s
            raise
        except PERMANENT_ERRORS as exc:
            self._dead_letter(held, f"{type(exc).__name__}: {exc}", attempts)
            return "dead"
        except Exception as exc:
            return self._failed(held, event, f"{type(exc).__name__}: {exc}", lease_key, attempts)
        finally:
            self._current = None
        return self._acknowledge(held, event, thread, lease_key, started_ms)

    def _failed(
        self, held: HeldEntry, event: CrewEvent, error: str, lease_key: str, attempts: int
    ) -> Outcome:
        """An attempt that raised: retry later with back-off, or dead-letter the last one."""
        logger.warning("event %s failed (attempt %d): %s", event.id, attempts, error)
        if attempts >= self.settings.max_attempts:
            self._dead_letter(held, f"gave up after {attempts} attempts: {error}", attempts)
            return "dead"
        with unavailable(self._server):
            self._client.hset(held.lane.keys.errors, held.stream_id, error)
            self._client.eval(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
                1,
                lease_key,
                self._token,
            )
        held.not_before = time.monotonic() + self.settings.retry_delay_s * 2 ** (attempts - 1)
        self.stats.retried += 1
        return "retry"

    def _acknowledge(
        self, held: HeldEntry, event: CrewEvent, thread: str, lease_key: str, started_ms: int
    ) -> Outcome:
        """Acknowledge a finished event, unless its lease was lost meanwhile."""
        keys, sid = held.lane.keys, held.stream_id
        with unavailable(self._server):
            finished = self._finish(
                keys=[
                    keys.stream,
                    keys.queue(thread),
                    keys.done,
                    keys.attempts,
                    keys.errors,
                    lease_key,
                ],
                args=[
                    self.settings.group,
                    sid,
                    event.id,
                    self.settings.consumer,
                    self._token,
                    started_ms,
                ],
                client=self._client,
            )
        if int(finished) < 0:
            logger.warning("event %s: lease lost before the acknowledgement; dropping it", event.id)
            return "lost"
        self.stats.processed += 1
        return "done"

    def _dead_letter(
        self, held: HeldEntry, error: str, attempts: int, token: str | None = None
    ) -> None:
        keys, sid = held.lane.keys, held.stream_id
        thread = entry_field(held, "thread")
        raw = entry_field(held, "event")
        with unavailable(self._server):
            info: Any = self._client.xpending_range(
                keys.stream, self.settings.group, min=sid, max=sid, count=1
            )
            deliveries = int(info[0]["times_delivered"]) if info else 0
            event_thread = thread or "-"
            lease = keys.lease(event_thread)
            self._dead(
                keys=[
                    keys.stream,
                    keys.queue(event_thread),
                    keys.dead,
                    keys.attempts,
                    keys.errors,
                    lease,
                ],
                args=[
                    self.settings.group,
                    sid,
                    raw,
                    error,
                    attempts,
                    deliveries,
                    self.settings.consumer,
                    self._token if token is None else token,
                ],
                client=self._client,
            )
        self.stats.dead_lettered += 1
        logger.error("entry %s of %s dead-lettered: %s", sid, held.lane.merchant_id, error)

    # -- heartbeat and shutdown ----------------------------------------------------------

    def _heartbeat(self) -> None:
        """Renew the lease in use and reset the idle time of held entries, until stopped."""
        period = min(self.settings.min_idle_ms, self.settings.lease_ms) / 4000
        while not self._stop_beating.wait(period):
            try:
                current = self._current
                if current is not None:
                    self._renew(
                        keys=[current],
                        args=[self._token, self.settings.lease_ms],
                        client=self._client,
                    )
                for lane in self.lanes:
                    self._touch(
                        keys=[lane.keys.stream],
                        args=[self.settings.group, self.settings.consumer, 1000],
                        client=self._client,
                    )
            except Exception as exc:  # the loop reports Redis outages; keep beating
                logger.debug("heartbeat failed: %s", exc)

    def _hand_back(self) -> None:
        """Make held, unfinished entries claimable by other workers at once (`XCLAIM IDLE`)."""
        hand_back(self._client, self._held.values(), self.settings)
