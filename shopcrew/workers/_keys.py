"""The Redis keys of one merchant's event stream, thread queues, leases and shared state."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StreamKeys"]


def _check(name: str, value: str) -> None:
    if not value or any(c in value for c in "{}") or any(c.isspace() for c in value):
        raise ValueError(
            f"{name} {value!r} cannot name Redis keys: use a non-empty name without braces or "
            "spaces, e.g. 'acme' or 'events'."
        )


@dataclass(frozen=True, slots=True)
class StreamKeys:
    """Every key a merchant's workers use, all under the hash tag `{<namespace>:<merchant>}`.

    One hash tag per merchant puts all of them on one Redis Cluster slot, so the Lua scripts
    that enqueue, acknowledge and commit effects touch several keys atomically.
    """

    namespace: str
    merchant_id: str
    stream_name: str = "events"

    def __post_init__(self) -> None:
        _check("namespace", self.namespace)
        _check("merchant id", self.merchant_id)
        _check("stream name", self.stream_name)

    @property
    def prefix(self) -> str:
        """`{<namespace>:<merchant>}`: the merchant's hash tag, first in every key."""
        return f"{{{self.namespace}:{self.merchant_id}}}"

    @property
    def stream(self) -> str:
        """The event stream (entries: `event` JSON, `thread`)."""
        return f"{self.prefix}:stream:{self.stream_name}"

    @property
    def dead(self) -> str:
        """The dead-letter stream: events given up on, with their error."""
        return f"{self.stream}:dead"

    @property
    def done(self) -> str:
        """The log of processed events (one entry per acknowledgement)."""
        return f"{self.stream}:done"

    @property
    def attempts(self) -> str:
        """Hash stream id -> attempts started."""
        return f"{self.stream}:attempts"

    @property
    def errors(self) -> str:
        """Hash stream id -> the last attempt's error."""
        return f"{self.stream}:errors"

    def queue(self, thread_id: str) -> str:
        """List of a thread's stream ids not yet done, oldest first."""
        return f"{self.stream}:q:{thread_id}"

    def lease(self, thread_id: str) -> str:
        """The thread's lease: the fencing token of the worker that runs it."""
        return f"{self.prefix}:lease:{thread_id}"

    @property
    def no_lease(self) -> str:
        """A key never set, passed where a script needs a lease key but there is none."""
        return f"{self.prefix}:lease:-"

    def retail(self, table: str) -> str:
        """Hash record key -> record JSON: the shared store's changed records of a table."""
        return f"{self.prefix}:retail:{table}"

    @property
    def retail_version(self) -> str:
        """Counter bumped by every shared-store commit (optimistic concurrency)."""
        return f"{self.prefix}:retail:version"

    def records(self, kind: str) -> str:
        """Hash record id -> record JSON: the shared changed records of a kind (`listing`...)."""
        return f"{self.prefix}:records:{kind}"

    def records_version(self, kind: str) -> str:
        """Counter bumped by every commit of a kind's shared records (optimistic concurrency)."""
        return f"{self.records(kind)}:version"

    def effect(self, key: str) -> str:
        """The record of one applied side effect (idempotency)."""
        return f"{self.prefix}:effect:{key}"

    def first_result(self, key: str) -> str:
        """The first result of an HTTP request with an id (an event, a decision), for resends."""
        return f"{self.prefix}:result:{key}"

    @property
    def effects(self) -> str:
        """The log of applied side effects (one entry per effect, for audits)."""
        return f"{self.prefix}:effects"
