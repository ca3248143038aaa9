"""Byte formats of the Redis checkpointer: records, channel blobs, list segments, writes.

Every stored value starts with a short marker naming its format version, so a saver never
misreads data written by another version or program: it raises `CheckpointFormatError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from langgraph.checkpoint.serde.base import SerializerProtocol

from shopcrew.errors import CheckpointFormatError

__all__ = [
    "FORMAT_VERSION",
    "ListHead",
    "decode_blob",
    "decode_list",
    "decode_record",
    "decode_write",
    "encode_blob",
    "encode_item",
    "encode_list",
    "encode_record",
    "encode_write",
    "extend_hash",
    "frame",
    "loads",
    "unframe",
]

FORMAT_VERSION = 1
"""Version of the stored layout; bump it when the byte formats change."""

_RECORD = b"SCP1"
_WRITE = b"SCW1"
_VALUE, _EMPTY, _LIST = b"V", b"E", b"L"


def frame(parts: Iterable[bytes]) -> bytes:
    """Join byte strings, each prefixed by its 4-byte big-endian length."""
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def unframe(data: bytes, start: int = 0) -> list[bytes]:
    """Split what `frame` joined (from offset `start`)."""
    out: list[bytes] = []
    pos, end = start, len(data)
    while pos < end:
        size = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        if pos + size > end:
            raise CheckpointFormatError("a stored value is truncated; it was not written by us")
        out.append(data[pos : pos + size])
        pos += size
    return out


def loads(serde: SerializerProtocol, type_: bytes, data: bytes, *, what: str) -> Any:
    """Deserialize with `serde`, turning any failure into `CheckpointFormatError`."""
    try:
        return serde.loads_typed((type_.decode(), data))
    except Exception as exc:
        raise CheckpointFormatError(
            f"{what} was written with serializer type {type_.decode(errors='replace')!r}, which "
            f"this saver's serde ({type(serde).__name__}) cannot read ({exc}). Open the thread "
            "with the serde that wrote it, or delete the thread."
        ) from exc


def _check_marker(data: bytes, marker: bytes, what: str) -> None:
    if not data.startswith(marker):
        found = data[:4].decode(errors="replace")
        raise CheckpointFormatError(
            f"{what} is in format {found!r}, but this RedisSaver reads format "
            f"{marker.decode()!r} (version {FORMAT_VERSION}). Use the shopcrew version that "
            "wrote it, or delete the thread; nothing was changed."
        )


def encode_record(
    serde: SerializerProtocol, checkpoint: Any, metadata: Any, parent_id: str | None
) -> bytes:
    """Encode a checkpoint (without channel values), its metadata and its parent id."""
    ctype, cdata = serde.dumps_typed(checkpoint)
    mtype, mdata = serde.dumps_typed(metadata)
    parent = (parent_id or "").encode()
    return _RECORD + frame((ctype.encode(), cdata, mtype.encode(), mdata, parent))


def decode_record(
    serde: SerializerProtocol, data: bytes, *, what: str
) -> tuple[Any, Any, str | None]:
    """Decode a record into `(checkpoint, metadata, parent_id)`."""
    _check_marker(data, _RECORD, what)
    parts = unframe(data, len(_RECORD))
    if len(parts) != 5:
        raise CheckpointFormatError(f"{what} has {len(parts)} parts, expected 5")
    checkpoint = loads(serde, parts[0], parts[1], what=what)
    metadata = loads(serde, parts[2], parts[3], what=what)
    return checkpoint, metadata, parts[4].decode() or None


def encode_blob(serde: SerializerProtocol, value: Any, *, present: bool) -> bytes:
    """Encode a plain channel value (or the marker of an emptied channel)."""
    if not present:
        return _EMPTY
    type_, data = serde.dumps_typed(value)
    return _VALUE + frame((type_.encode(), data))


def encode_item(serde: SerializerProtocol, item: Any) -> bytes:
    """Encode one item of a list channel."""
    type_, data = serde.dumps_typed(item)
    return frame((type_.encode(), data))


def encode_list(items: Sequence[bytes]) -> bytes:
    """Encode a list segment from encoded items (a full value or the items appended)."""
    return _LIST + frame(items)


def extend_hash(digest: str, items: Iterable[bytes]) -> str:
    """Fold encoded items into the running hash of a list's prefix."""
    for item in items:
        digest = blake2b(digest.encode() + item, digest_size=12).hexdigest()
    return digest


def decode_blob(
    serde: SerializerProtocol, segments: Sequence[bytes], *, what: str
) -> tuple[bool, Any]:
    """Decode a channel value from its segments, newest first; `(present, value)`."""
    head = segments[0]
    if head == _EMPTY:
        return False, None
    if head.startswith(_VALUE):
        type_, data = unframe(head, 1)
        return True, loads(serde, type_, data, what=what)
    if not head.startswith(_LIST):
        _check_marker(head, _VALUE, what)
    return True, decode_list(serde, segments, what=what)


def decode_list(
    serde: SerializerProtocol,
    segments: Sequence[bytes],
    *,
    what: str,
    into: list[Any] | None = None,
) -> list[Any]:
    """Decode list segments, newest first, appending their items to `into` (or a new list)."""
    items: list[Any] = [] if into is None else into
    for segment in reversed(segments):
        _check_marker(segment, _LIST, what)
        for item in unframe(segment, 1):
            type_, data = unframe(item)
            items.append(loads(serde, type_, data, what=what))
    return items


def encode_write(
    serde: SerializerProtocol, task_id: str, channel: str, value: Any, task_path: str
) -> bytes:
    """Encode one pending write."""
    type_, data = serde.dumps_typed(value)
    parts = (task_id.encode(), channel.encode(), type_.encode(), data, task_path.encode())
    return _WRITE + frame(parts)


def decode_write(serde: SerializerProtocol, data: bytes, *, what: str) -> tuple[str, str, Any, str]:
    """Decode a pending write into `(task_id, channel, value, task_path)`."""
    _check_marker(data, _WRITE, what)
    task_id, channel, type_, raw, task_path = unframe(data, len(_WRITE))
    value = loads(serde, type_, raw, what=what)
    return task_id.decode(), channel.decode(), value, task_path.decode()


@dataclass(slots=True)
class ListHead:
    """What a saver last stored (or read) for one list channel of one thread."""

    version: str
    """The channel version this describes."""
    items: list[Any]
    """The item objects themselves: unchanged items are recognised by identity."""
    digest: str
    """Running hash of the encoded items."""
