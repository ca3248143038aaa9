"""Key and field names of the Redis checkpointer.

All keys of one thread share the hash tag `{<thread_id>}`, so the Lua scripts that touch
them run on one Redis Cluster slot; the per-namespace thread index has its own tag.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "NUL",
    "ThreadKeys",
    "blob_field",
    "member",
    "split_member",
    "thread_index",
    "write_field",
]

NUL = "\x00"
"""Separator inside members and fields: thread ids and namespaces never hold it."""

_SUFFIXES = ("idx", "cp", "cv", "blob", "ln", "run", "wi", "w")


@dataclass(frozen=True, slots=True)
class ThreadKeys:
    """The keys of one thread, in the order the Lua scripts expect them."""

    idx: str
    """Sorted set (all scores 0, ordered by member): `checkpoint_ns NUL checkpoint_id`."""
    cp: str
    """Hash member -> encoded checkpoint record (checkpoint, metadata, parent id)."""
    cv: str
    """Hash member -> `channel NUL version ...`, so scripts can find the blobs."""
    blob: str
    """Hash `checkpoint_ns NUL channel NUL version` -> encoded channel value or list segment."""
    ln: str
    """Hash blob field -> `count NUL hash NUL base_version` for list channels."""
    run: str
    """Hash member -> run id, for `delete_for_runs`."""
    wi: str
    """Sorted set of write fields `member NUL task_id NUL idx`, ordered by member."""
    w: str
    """Hash write field -> encoded pending write."""

    @classmethod
    def of(cls, namespace: str, thread_id: str) -> ThreadKeys:
        """Build the keys of `thread_id` under `namespace`."""
        prefix = f"{namespace}:t:{{{thread_id}}}:"
        return cls(*(prefix + s for s in _SUFFIXES))

    def all(self) -> list[str]:
        """Every key, in script order."""
        return [self.idx, self.cp, self.cv, self.blob, self.ln, self.run, self.wi, self.w]


def thread_index(namespace: str) -> str:
    """The sorted set of the namespace's thread ids (score: first write, ms)."""
    return f"{{{namespace}}}:threads"


def member(checkpoint_ns: str, checkpoint_id: str) -> str:
    """The index member of one checkpoint."""
    return f"{checkpoint_ns}{NUL}{checkpoint_id}"


def split_member(value: str) -> tuple[str, str]:
    """Split an index member into `(checkpoint_ns, checkpoint_id)`."""
    ns, _, cid = value.partition(NUL)
    return ns, cid


def blob_field(checkpoint_ns: str, channel: str, version: str) -> str:
    """The field of one channel version in the blob hash."""
    return f"{checkpoint_ns}{NUL}{channel}{NUL}{version}"


def write_field(checkpoint_ns: str, checkpoint_id: str, task_id: str, idx: int) -> str:
    """The field of one pending write."""
    return f"{checkpoint_ns}{NUL}{checkpoint_id}{NUL}{task_id}{NUL}{idx}"
