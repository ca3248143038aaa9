"""Key layout and value encoding of `RedisStore`: pure functions, no I/O.

Every key of one store shares the hash tag `{<namespace>}` so that one Lua script may touch
all of them on a Redis Cluster:

```
{ns}:store:idx           zset (score 0)    item namespaces holding at least one item, "a.b.c"
{ns}:store:order         zset              the same namespaces, scored by creation sequence
{ns}:store:exp           zset              "<a.b.c> NUL <key>" scored by expiry (ms since epoch)
{ns}:store:seq           string            the sequence counter (INCR)
{ns}:store:i:<a.b.c>     hash              key -> "<seq>|<created_us>|<updated_us>|<ttl_ms>|<json>"
{ns}:store:v:<a.b.c>     hash              key -> packed float32 vectors, one per indexed path
```

Namespace labels can hold neither "." nor NUL (`validate_op_namespace`), so joining labels
with "." is unambiguous and a NUL separates namespace from key in expiry members.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "StoreKeys",
    "StoredItem",
    "decode_item",
    "decode_namespace",
    "decode_vectors",
    "encode_namespace",
    "encode_value",
    "encode_vectors",
]

_PATH_LEN = struct.Struct("<H")


@dataclass(frozen=True, slots=True)
class StoreKeys:
    """The fixed keys of one store and the prefix of its per-namespace keys."""

    base: str
    """Prefix of every key, hash tag included: `{shopcrew:merchant-a}:store:`."""

    @classmethod
    def for_namespace(cls, namespace: str) -> StoreKeys:
        """Keys for the store whose keys start with `namespace` (e.g. `shopcrew:merchant-a`)."""
        return cls(base=f"{{{namespace}}}:store:")

    @property
    def fixed(self) -> list[str]:
        """The four keys every script declares: idx, order, exp, seq."""
        return [self.base + name for name in ("idx", "order", "exp", "seq")]

    def items(self, namespace: tuple[str, ...]) -> str:
        """The hash holding the items of one item namespace."""
        return f"{self.base}i:{encode_namespace(namespace)}"


@dataclass(frozen=True, slots=True)
class StoredItem:
    """One item as decoded from its hash field."""

    seq: int
    """Insertion sequence: the order `InMemoryStore` iterates items in."""
    created_at: datetime
    updated_at: datetime
    ttl_ms: int | None
    """The item's time to live, refreshed on reads when asked; None when it never expires."""
    value: dict[str, Any]


def encode_namespace(namespace: Sequence[str]) -> str:
    """Join namespace labels with "." (labels may not contain one)."""
    return ".".join(namespace)


def decode_namespace(raw: bytes | str) -> tuple[str, ...]:
    """Inverse of `encode_namespace`."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    return tuple(text.split("."))


def encode_value(value: Mapping[str, Any]) -> str:
    """Serialize an item value as compact JSON."""
    return json.dumps(dict(value), separators=(",", ":"), ensure_ascii=False)


def _from_us(raw: bytes) -> datetime:
    micros = int(raw)
    return datetime.fromtimestamp(micros // 1_000_000, tz=UTC).replace(
        microsecond=micros % 1_000_000
    )


def decode_item(raw: bytes) -> StoredItem:
    """Decode a hash field written by the store's Lua scripts."""
    seq, created, updated, ttl, body = raw.split(b"|", 4)
    return StoredItem(
        seq=int(seq),
        created_at=_from_us(created),
        updated_at=_from_us(updated),
        ttl_ms=int(ttl) if ttl else None,
        value=json.loads(body),
    )


def encode_vectors(vectors: Mapping[str, Sequence[float]], dims: int) -> bytes:
    """Pack one item's vectors: per path a u16 length, the UTF-8 path, `dims` float32 values.

    Raises:
        ValueError: A vector does not have `dims` components.
    """
    parts: list[bytes] = []
    for path, vector in vectors.items():
        array = np.asarray(vector, dtype="<f4")
        if array.shape != (dims,):
            raise ValueError(
                f"The embedding of {path!r} has {array.size} dimensions, the store's index "
                f"says dims={dims}. Make `index['dims']` match the embedding model."
            )
        name = path.encode()
        parts += [_PATH_LEN.pack(len(name)), name, array.tobytes()]
    return b"".join(parts)


def decode_vectors(raw: bytes, dims: int) -> list[NDArray[np.float32]]:
    """Unpack the vectors of one item, in the order they were written."""
    vectors: list[NDArray[np.float32]] = []
    at, width = 0, 4 * dims
    while at < len(raw):
        (length,) = _PATH_LEN.unpack_from(raw, at)
        at += _PATH_LEN.size + length
        vectors.append(np.frombuffer(raw, dtype="<f4", count=dims, offset=at))
        at += width
    return vectors
