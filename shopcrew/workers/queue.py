"""The producer side: put crew events on a merchant's stream; read what became of them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from redis.exceptions import ResponseError

from shopcrew.graphs.events import parse_event, thread_for
from shopcrew.memory._redis import SyncClient, describe_client, unavailable
from shopcrew.tracing import inject_context
from shopcrew.workers._keys import StreamKeys
from shopcrew.workers._scripts import ENQUEUE

__all__ = ["DEFAULT_GROUP", "DeadLetter", "EventQueue", "Processed"]

DEFAULT_GROUP = "crew"
"""The consumer group of `shopcrew worker`."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An event given up on: invalid, or failing after the allowed attempts."""

    stream_id: str
    """Its id on the event stream."""
    event: str
    """The raw event JSON as it was enqueued."""
    error: str
    """Why: the validation message or the last attempt's error."""
    attempts: int
    """Attempts started (0 for an invalid event)."""
    deliveries: int
    """Deliveries to consumers (`XPENDING`), re-deliveries after crashes included."""


@dataclass(frozen=True, slots=True)
class Processed:
    """One acknowledged event, from the processed log."""

    event_id: str
    stream_id: str
    consumer: str
    at_ms: int
    """Server time of the acknowledgement (ms since the epoch)."""
    started_ms: int
    """The worker's time when the attempt that finished started (ms since the epoch)."""

    @property
    def latency_ms(self) -> int:
        """From enqueueing (the stream id's time) to the acknowledgement."""
        return self.at_ms - int(self.stream_id.split("-", 1)[0])

    @property
    def run_ms(self) -> int:
        """From the start of the attempt that finished to the acknowledgement."""
        return self.at_ms - self.started_ms


class EventQueue:
    """One merchant's event stream: enqueue, and read the processed and dead-letter logs.

    Args:
        client: A synchronous Redis client (the caller keeps it).
        merchant_id: The merchant.
        namespace: Key prefix of the deployment.
        stream: The stream's name (several streams per merchant may coexist).
    """

    def __init__(
        self,
        client: SyncClient,
        *,
        merchant_id: str = "default",
        namespace: str = "shopcrew",
        stream: str = "events",
    ) -> None:
        self.keys = StreamKeys(namespace, merchant_id, stream)
        self.merchant_id = merchant_id
        self._client = client
        self._server = describe_client(client)
        self._enqueue = client.register_script(ENQUEUE)

    def enqueue(self, event: BaseModel | Mapping[str, Any]) -> str:
        """Validate an event and append it to the stream and to its thread's queue.

        The current trace context goes beside it, so the worker's span of the event joins the
        producer's trace.

        Returns:
            The stream id.

        Raises:
            InvalidEventError: Not a valid event; nothing was enqueued.
            RedisUnavailableError: The server could not be reached.
        """
        checked = parse_event(event)
        thread = thread_for(checked, merchant_id=self.merchant_id)
        body = checked.model_dump_json()
        carrier = inject_context()
        trace = json.dumps(carrier) if carrier else ""
        with unavailable(self._server):
            sent = self._enqueue(
                keys=[self.keys.stream, self.keys.queue(thread)],
                args=[body, thread, trace],
                client=self._client,
            )
        return _text(sent)

    def length(self) -> int:
        """Entries the stream holds (processed ones included until trimmed)."""
        with unavailable(self._server):
            return int(self._client.xlen(self.keys.stream))

    def pending(self, group: str = DEFAULT_GROUP) -> int:
        """Entries delivered to the group's consumers and not acknowledged yet."""
        with unavailable(self._server):
            try:
                return int(self._client.xpending(self.keys.stream, group)["pending"])
            except ResponseError as exc:
                if "NOGROUP" in str(exc):
                    return 0
                raise

    def processed(self) -> list[Processed]:
        """The processed log, oldest first."""
        with unavailable(self._server):
            rows: Any = self._client.xrange(self.keys.done)
        return [
            Processed(
                event_id=_text(f[b"event"]),
                stream_id=_text(f[b"id"]),
                consumer=_text(f[b"consumer"]),
                at_ms=int(f[b"at_ms"]),
                started_ms=int(f.get(b"started_ms", f[b"at_ms"])),
            )
            for _, f in rows
        ]

    def dead_letters(self) -> list[DeadLetter]:
        """The dead-letter stream, oldest first."""
        with unavailable(self._server):
            rows: Any = self._client.xrange(self.keys.dead)
        return [
            DeadLetter(
                stream_id=_text(f[b"id"]),
                event=_text(f[b"event"]),
                error=_text(f[b"error"]),
                attempts=int(f[b"attempts"]),
                deliveries=int(f[b"deliveries"]),
            )
            for _, f in rows
        ]

    def effects(self) -> list[dict[str, str]]:
        """The applied side effects, oldest first: `key`, `op`, `event`, `targets`."""
        with unavailable(self._server):
            rows: Any = self._client.xrange(self.keys.effects)
        return [{_text(k): _text(v) for k, v in f.items()} for _, f in rows]


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
