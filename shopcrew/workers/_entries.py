"""A stream entry a worker holds, and reading its fields (bytes or text) and its order."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shopcrew.workers.lane import Lane

if TYPE_CHECKING:
    from shopcrew.memory._redis import SyncClient
    from shopcrew.workers.settings import WorkerSettings

__all__ = ["HeldEntry", "as_text", "entry_field", "hand_back", "stream_order", "trace_carrier"]

logger = logging.getLogger(__name__)

_HANDED_BACK_IDLE_MS = 7 * 24 * 3600 * 1000
"""Idle time given to entries handed back on shutdown: past any worker's `min_idle_ms`."""


@dataclass(slots=True)
class HeldEntry:
    """An entry read from a merchant's stream and not yet finished."""

    lane: Lane
    stream_id: str
    fields: dict[Any, Any]
    not_before: float = 0.0
    """Monotonic time before which it is not attempted again (a retry's back-off)."""


def stream_order(stream_id: str) -> tuple[int, int]:
    """A stream id as numbers, so ids sort in the order Redis gave them."""
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def as_text(raw: Any) -> str:
    """A Redis reply value as text."""
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def entry_field(held: HeldEntry, name: str) -> str:
    """A field of the entry as text ("" when absent), whether the client decodes replies or not."""
    return as_text(held.fields.get(name.encode(), held.fields.get(name, b"")))


def trace_carrier(held: HeldEntry) -> dict[str, str] | None:
    """The trace context enqueued beside an entry, if any."""
    raw = held.fields.get(b"trace", held.fields.get("trace"))
    if not raw:
        return None
    try:
        found = json.loads(as_text(raw))
    except ValueError:
        return None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else None


def hand_back(client: SyncClient, held: Iterable[HeldEntry], settings: WorkerSettings) -> None:
    """Make held, unfinished entries claimable by other workers at once (`XCLAIM IDLE`)."""
    by_lane: dict[str, list[str | bytes | int | memoryview]] = {}
    for entry in held:
        by_lane.setdefault(entry.lane.keys.stream, []).append(entry.stream_id)
    for stream, ids in by_lane.items():
        try:
            client.xclaim(
                stream,
                settings.group,
                settings.consumer,
                0,
                ids,
                idle=_HANDED_BACK_IDLE_MS,
                justid=True,
            )
            logger.info("handed back %d entries of %s", len(ids), stream)
        except Exception as exc:
            logger.warning("could not hand back entries of %s: %s", stream, exc)
