"""`Worker`: consumes crew events from Redis Streams, one thread at a time, crash-safe."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import uuid4

from langchain_core.runnables import RunnableConfig
from redis.exceptions import ResponseError

from shopcrew.agents.approvals.queue import ApprovalQueue
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
from shopcrew.graphs.crew import Checkpoints, send_event
from shopcrew.graphs.events import CrewEvent, CustomerMessage, HumanDecision, parse_event
from shopcrew.memory._redis import TRANSIENT_ERRORS, SyncClient, describe_client, unavailable
from shopcrew.workers._scripts import BEGIN, DEAD_LETTER, FINISH, NOT_HEAD, RENEW, TOUCH
from shopcrew.workers.lane import Lane
from shopcrew.workers.ledger import EffectScope, effect_scope
from shopcrew.workers.queue import DEFAULT_GROUP

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

_HANDED_BACK_IDLE_MS = 7 * 24 * 3600 * 1000
"""Idle time given to entries handed back on shutdown: past any worker's `min_idle_ms`."""

Outcome = Literal["done", "dead", "deferred", "retry", "lost"]


def default_consumer() -> str:
    """`<host>-<pid>`: a consumer name unique among live processes."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a worker consumes (all times in milliseconds unless named otherwise)."""

    group: str = DEFAULT_GROUP
    """The consumer group shared by the workers of a deployment."""
    consumer: str = field(default_factory=default_consumer)
    """This worker's name in the group."""
    batch: int = 16
    """Entries held at most (read ahead while earlier ones wait for their thread)."""
    block_ms: int = 1000
    """How long a read waits for new entries when there is nothing else to do."""
    min_idle_ms: int = 10_000
    """Pending this long without a heartbeat, an entry is claimed by another worker."""
    lease_ms: int = 10_000
    """A thread's lease; renewed while its event runs, so only a dead worker loses it."""
    max_attempts: int = 5
    """Attempts of an event before it goes to the dead-letter stream."""
    retry_delay_s: float = 0.5
    """Delay before the second attempt; doubled for each further one."""

    def __post_init__(self) -> None:
        if min(self.batch, self.block_ms, self.min_idle_ms, self.lease_ms, self.max_attempts) < 1:
            raise ValueError("batch, block_ms, min_idle_ms, lease_ms and max_attempts must be >= 1")


@dataclass(slots=True)
class WorkerStats:
    """What a worker did so far."""

    processed: int = 0
    dead_lettered: int = 0
    retried: int = 0
    deferred: int = 0
    reconnects: int = 0


@dataclass(slots=True)
class _Held:
    lane: Lane
    stream_id: str
    fields: dict[Any, Any]
    not_before: float = 0.0


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
        self._held: dict[tuple[str, str], _Held] = {}
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
            sid = _text(stream_id)
            self._held.setdefault((lane.merchant_id, sid), _Held(lane, sid, dict(fields or {})))

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
                logger.warning("entry %s was deleted while pending", _text(deleted))

    def _step(self) -> None:
        now = time.monotonic()
        progressed = False
        for key in sorted(self._held, key=lambda k: (k[0], _order(k[1]))):
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

    def _attempt(self, held: _Held) -> Outcome:
        lane, sid, keys = held.lane, held.stream_id, held.lane.keys
        raw = _text(held.fields.get(b"event", held.fields.get("event", b"")))
        thread = _text(held.fields.get(b"thread", held.fields.get("thread", b"")))
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
        lease_key = keys.lease(self._lease_thread(lane, event, thread))
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
            why = _text(last) if last else "the worker running it stopped (crash or kill)"
            self._dead_letter(held, f"gave up after {attempts - 1} attempts: {why}", attempts - 1)
            return "dead"
        return self._run(held, event, thread, lease_key, attempts)

    def _run(
        self, held: _Held, event: CrewEvent, thread: str, lease_key: str, attempts: int
    ) -> Outcome:
        lane, sid, keys = held.lane, held.stream_id, held.lane.keys
        self._current = lease_key
        started_ms = int(time.time() * 1000)
        try:
            with effect_scope(EffectScope(event.id, lease_key, self._token)):
                self._run_event(lane, event, thread, retry=attempts > 1, parent=_carrier(held))
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
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("event %s failed (attempt %d): %s", event.id, attempts, error)
            if attempts >= self.settings.max_attempts:
                self._dead_letter(held, f"gave up after {attempts} attempts: {error}", attempts)
                return "dead"
            with unavailable(self._server):
                self._client.hset(keys.errors, sid, error)
                self._client.eval(
                    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
                    1,
                    lease_key,
                    self._token,
                )
            held.not_before = time.monotonic() + self.settings.retry_delay_s * 2 ** (attempts - 1)
            self.stats.retried += 1
            return "retry"
        finally:
            self._current = None
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

    def _lease_thread(self, lane: Lane, event: CrewEvent, thread: str) -> str:
        """The thread to lease: a decision leases the thread it resumes."""
        if not isinstance(event, HumanDecision) or lane.crew.store is None:
            return thread
        queue = ApprovalQueue(lane.crew.store, merchant_id=lane.merchant_id)
        try:
            return queue.get(event.decision.request_id).thread_id
        except UnknownApprovalError:
            return thread

    def _run_event(
        self,
        lane: Lane,
        event: CrewEvent,
        thread: str,
        *,
        retry: bool,
        parent: dict[str, str] | None = None,
    ) -> None:
        """Run the event, or resume its run from the last checkpoint after a crash.

        `parent` is the trace context its producer enqueued beside it.
        """
        crew, merchant = lane.crew, lane.merchant_id
        if isinstance(event, HumanDecision):
            try:
                send_event(crew, event, merchant_id=merchant, trace_parent=parent)
            except StaleApprovalError:
                if not retry or not self._resume_decided(lane, event):
                    raise
            return
        config: RunnableConfig = {"configurable": {"thread_id": thread}}
        snapshot = crew.get_state(config)
        current = (snapshot.values or {}).get("event") or {}
        if current.get("id") == event.id:
            if not snapshot.next or snapshot.interrupts:
                logger.info("event %s had finished before its worker stopped", event.id)
                return
            logger.warning("event %s: resuming from checkpoint at %s", event.id, snapshot.next)
            crew.invoke(None, config)
            return
        # A customer message is saved in its conversation before the agent runs, then the turn;
        # other events, each on a thread of its own, once done (see the README, "Workers").
        saves: Checkpoints = "accepted_and_done" if isinstance(event, CustomerMessage) else "done"
        send_event(crew, event, merchant_id=merchant, trace_parent=parent, checkpoints=saves)

    def _resume_decided(self, lane: Lane, event: HumanDecision) -> bool:
        """A decision recorded by a worker that died mid-resume: finish that resume."""
        if lane.crew.store is None:
            return False
        queue = ApprovalQueue(lane.crew.store, merchant_id=lane.merchant_id)
        config: RunnableConfig = {
            "configurable": {"thread_id": queue.get(event.decision.request_id).thread_id}
        }
        snapshot = lane.crew.get_state(config)
        if not snapshot.next or snapshot.interrupts:
            return False
        lane.crew.invoke(None, config)
        return True

    def _dead_letter(
        self, held: _Held, error: str, attempts: int, token: str | None = None
    ) -> None:
        keys, sid = held.lane.keys, held.stream_id
        thread = _text(held.fields.get(b"thread", held.fields.get("thread", b"")))
        raw = _text(held.fields.get(b"event", held.fields.get("event", b"")))
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
        by_lane: dict[str, list[str | bytes | int | memoryview]] = {}
        for held in self._held.values():
            by_lane.setdefault(held.lane.keys.stream, []).append(held.stream_id)
        for stream, ids in by_lane.items():
            try:
                self._client.xclaim(
                    stream,
                    self.settings.group,
                    self.settings.consumer,
                    0,
                    ids,
                    idle=_HANDED_BACK_IDLE_MS,
                    justid=True,
                )
                logger.info("handed back %d entries of %s", len(ids), stream)
            except Exception as exc:
                logger.warning("could not hand back entries of %s: %s", stream, exc)


def _order(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _carrier(held: _Held) -> dict[str, str] | None:
    """The trace context enqueued beside an entry, if any."""
    raw = held.fields.get(b"trace", held.fields.get("trace"))
    if not raw:
        return None
    try:
        found = json.loads(_text(raw))
    except ValueError:
        return None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else None
