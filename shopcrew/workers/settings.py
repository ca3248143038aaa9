"""How a worker consumes (`WorkerSettings`), what it did (`WorkerStats`), and its default name."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from shopcrew.workers.queue import DEFAULT_GROUP

__all__ = ["WorkerSettings", "WorkerStats", "default_consumer"]


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
