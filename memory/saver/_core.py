"""Pure helpers of `RedisSaver`: script arguments in, `CheckpointTuple`s out; no I/O."""

from __future__ import annotations

import hashlib
import operator
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
    writes_sort_key,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from shopcrew.errors import CheckpointFormatError
from shopcrew.memory.saver import _codec
from shopcrew.memory.saver._cache import HeadCache, HeadKey, Hints
from shopcrew.memory.saver._keys import NUL, member, split_member, write_field

__all__ = [
    "ListQuery",
    "PutPlan",
    "Script",
    "as_bytes",
    "as_text",
    "get_args",
    "matches",
    "member_of",
    "next_version",
    "parse_load_reply",
    "pending_writes",
    "pick",
    "plan_put",
    "plan_writes",
    "refused",
    "stored_config",
]


@dataclass(frozen=True, slots=True)
class Script:
    """A Lua script and its SHA1, for EVALSHA with an EVAL fallback."""

    source: str
    sha: str

    @classmethod
    def of(cls, source: str) -> Script:
        """Wrap `source`."""
        return cls(source, hashlib.sha1(source.encode()).hexdigest())


@dataclass(slots=True)
class PutPlan:
    """The arguments of one PUT script call and the list heads it stores."""

    args: list[str | bytes]
    heads: dict[HeadKey, _codec.ListHead] = field(default_factory=dict)


def _unchanged_prefix(head: _codec.ListHead, items: list[Any]) -> bool:
    # Identity, not equality: channel reducers build new lists from the same item objects,
    # and an identity check costs a pointer comparison per item, run in C by map/is_ (a
    # generator made this check the one saver cost that grew with the conversation).
    old = head.items
    return len(items) >= len(old) and all(map(operator.is_, old, items))


def plan_put(
    serde: SerializerProtocol,
    heads: HeadCache,
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    new_versions: ChannelVersions,
    *,
    ttl_ms: int,
    score: int,
    check: bool,
    full: bool = False,
) -> PutPlan:
    """Build the PUT script arguments: only channels in `new_versions`, lists as deltas.

    Args:
        serde: The serializer.
        heads: The saver's list-head cache (read only here).
        config: The parent config (thread, namespace, parent checkpoint id).
        checkpoint: The checkpoint to store.
        metadata: Its metadata.
        new_versions: The channels that changed, with their new versions.
        ttl_ms: TTL to refresh, 0 for none.
        score: Score of the thread in the namespace index (first write, ms).
        check: Have the script check the type of every key of the thread first.
        full: Store every list channel whole (after the server refused a delta).

    Returns:
        The arguments and the heads to remember once the script succeeded.
    """
    conf = config["configurable"]
    thread_id, cns = str(conf["thread_id"]), str(conf.get("checkpoint_ns", ""))
    c = checkpoint.copy()
    values: dict[str, Any] = c.pop("channel_values")  # type: ignore[misc]
    md = get_checkpoint_metadata(config, metadata)
    record = _codec.encode_record(serde, c, md, conf.get("checkpoint_id"))
    cv = NUL.join(f"{ch}{NUL}{ver}" for ch, ver in checkpoint["channel_versions"].items())
    run_id = md.get("run_id")
    blobs: list[str | bytes] = []
    plan = PutPlan(args=[])
    for ch, ver in new_versions.items():
        version = str(ver)
        value = values.get(ch)
        if ch not in values or type(value) is not list:
            payload = _codec.encode_blob(serde, value, present=ch in values)
            blobs += [ch, version, payload, "", "", "", "", ""]
            continue
        key = (thread_id, cns, ch)
        head = None if full else heads.get(key)
        if head is not None and head.version != version and _unchanged_prefix(head, value):
            tail = [_codec.encode_item(serde, x) for x in value[len(head.items) :]]
            digest = _codec.extend_hash(head.digest, tail)
            base = [head.version, str(len(value)), digest, str(len(head.items)), head.digest]
        else:
            tail = [_codec.encode_item(serde, x) for x in value]
            digest = _codec.extend_hash("", tail)
            base = ["", str(len(value)), digest, "", ""]
        blobs += [ch, version, _codec.encode_list(tail), *base]
        plan.heads[key] = _codec.ListHead(version, list(value), digest)
    plan.args = [
        cns,
        checkpoint["id"],
        record,
        cv,
        "" if run_id is None else str(run_id),
        str(ttl_ms),
        thread_id,
        str(score),
        str(len(new_versions)),
        "1" if check else "0",
        *blobs,
    ]
    return plan


def plan_writes(
    serde: SerializerProtocol,
    config: RunnableConfig,
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
    *,
    ttl_ms: int,
    check: bool,
) -> list[str | bytes]:
    """Build the PUT_WRITES script arguments (special writes overwrite, others do not)."""
    conf = config["configurable"]
    cns, cid = str(conf.get("checkpoint_ns", "")), str(conf["checkpoint_id"])
    args: list[str | bytes] = [str(ttl_ms), str(len(writes)), "1" if check else "0"]
    for idx, (channel, value) in enumerate(writes):
        widx = WRITES_IDX_MAP.get(channel, idx)
        args += [
            write_field(cns, cid, task_id, widx),
            _codec.encode_write(serde, task_id, channel, value, task_path),
            "1" if widx < 0 else "0",
        ]
    return args


def as_text(value: bytes | str) -> str:
    """A reply element as text."""
    return value.decode() if isinstance(value, bytes) else value


def as_bytes(value: bytes | str) -> bytes:
    """A reply element as bytes."""
    return value.encode() if isinstance(value, str) else value


def parse_load_reply(
    serde: SerializerProtocol,
    thread_id: str,
    entries: Sequence[Any],
    heads: HeadCache | None,
    *,
    where: str,
    hints: Hints | None = None,
) -> list[CheckpointTuple]:
    """Turn LOAD script entries into checkpoint tuples, remembering list heads.

    Args:
        serde: The serializer.
        thread_id: The thread the entries belong to.
        entries: The LOAD reply past its first element.
        heads: The cache to remember list values in (`None`: do not).
        where: The server, for error messages.
        hints: The heads sent with the LOAD call: a list blob ending in the `C` segment
            is that head's items followed by the items of its other segments.
    """
    out: list[CheckpointTuple] = []
    for raw_member, raw_record, raw_writes, raw_blobs in entries:
        cns, cid = split_member(as_text(raw_member))
        what = f"checkpoint {cid!r} of thread {thread_id!r} in {where}"
        checkpoint, metadata, parent_id = _codec.decode_record(
            serde, as_bytes(raw_record), what=what
        )
        if not isinstance(checkpoint, dict):
            raise CheckpointFormatError(f"{what} does not hold a checkpoint")
        values: dict[str, Any] = {}
        for blob in raw_blobs:
            ch, ln, segments = as_text(blob[0]), as_text(blob[1]), [as_bytes(s) for s in blob[2:]]
            if segments[-1] == _CACHED:
                value = _from_hint(serde, hints, ch, segments[:-1], what=what)
            else:
                present, value = _codec.decode_blob(serde, segments, what=what)
                if not present:
                    continue
            values[ch] = value
            if heads is not None and ln and isinstance(value, list):
                digest = ln.split(NUL)[1]
                version = str(checkpoint["channel_versions"].get(ch, ""))
                heads.remember((thread_id, cns, ch), _codec.ListHead(version, list(value), digest))
        parent_config: RunnableConfig | None = None
        if parent_id:
            parent_config = _config(thread_id, cns, parent_id)
        out.append(
            CheckpointTuple(
                config=_config(thread_id, cns, cid),
                checkpoint={**checkpoint, "channel_values": values},  # type: ignore[typeddict-item]
                metadata=metadata,
                parent_config=parent_config,
                pending_writes=pending_writes(serde, raw_writes, what=what),
            )
        )
    return out


def pending_writes(
    serde: SerializerProtocol, raw_writes: Sequence[Any], *, what: str
) -> list[tuple[str, str, Any]]:
    """Decode a LOAD entry's `[field, write, ...]` into writes in `writes_sort_key` order."""
    pending: list[tuple[tuple[str, str, int], tuple[str, str, Any]]] = []
    for i in range(0, len(raw_writes), 2):
        idx = int(as_text(raw_writes[i]).rsplit(NUL, 1)[1])
        task_id, channel, value, task_path = _codec.decode_write(
            serde, as_bytes(raw_writes[i + 1]), what=what
        )
        pending.append((writes_sort_key(task_path, task_id, idx), (task_id, channel, value)))
    pending.sort(key=lambda p: p[0])
    return [w for _, w in pending]


_CACHED = b"C"


def _from_hint(
    serde: SerializerProtocol,
    hints: Hints | None,
    channel: str,
    segments: Sequence[bytes],
    *,
    what: str,
) -> list[Any]:
    # A fresh list: callers may mutate what get_tuple returns without touching the cache.
    hint = (hints or {}).get(channel)
    if hint is None:
        raise CheckpointFormatError(f"{what}: the server answered a hint that was not sent")
    return _codec.decode_list(serde, segments, what=what, into=list(hint.items))


def _config(thread_id: str, cns: str, cid: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": cns, "checkpoint_id": cid}}


def matches(metadata: Mapping[str, Any], filter: Mapping[str, Any] | None) -> bool:
    """Whether `metadata` holds every key/value of `filter` (as `InMemorySaver` checks)."""
    return not filter or all(v == metadata.get(k) for k, v in filter.items())


def next_version(current: str | int | float | None) -> str:
    """The next channel version: zero-padded counter plus a random tiebreak, like InMemorySaver."""
    if current is None:
        n = 0
    elif isinstance(current, int | float):
        n = int(current)
    else:
        n = int(current.split(".")[0])
    return f"{n + 1:032}.{random.random():016}"


def member_of(config: RunnableConfig) -> str:
    """The index member named by a config with a checkpoint id."""
    conf = config["configurable"]
    return member(str(conf.get("checkpoint_ns", "")), str(conf["checkpoint_id"]))


def get_args(config: RunnableConfig, heads: HeadCache) -> tuple[str, list[str], Hints]:
    """The thread id, LOAD arguments and hints of a `get_tuple` call.

    The hints are the cached list heads of the thread: the server sends back only the items
    appended since a hinted version (when the chain reaches it with the same hash).
    """
    conf = config["configurable"]
    cid = get_checkpoint_id(config) or ""
    cns, tid = str(conf.get("checkpoint_ns", "")), str(conf["thread_id"])
    hints = heads.hints(tid, cns)
    args = [cns, cid, "", "0", "1", "0", "1" if cid else "0", str(len(hints))]
    for ch, head in hints.items():
        args += [ch, head.version, head.digest]
    return tid, args, hints


def pick(found: list[CheckpointTuple], config: RunnableConfig) -> CheckpointTuple | None:
    """The `get_tuple` answer: with a checkpoint id, the caller's config is echoed back."""
    if not found:
        return None
    return found[0]._replace(config=config) if get_checkpoint_id(config) else found[0]


def refused(reply: Any) -> bool:
    """Whether the PUT script refused a list delta (its base changed under us)."""
    return isinstance(reply, list) and bool(reply) and reply[0] in (b"RESEND", "RESEND")


def stored_config(config: RunnableConfig, checkpoint: Checkpoint) -> RunnableConfig:
    """The config `put` returns: the thread, namespace and new checkpoint id."""
    conf = config["configurable"]
    return _config(str(conf["thread_id"]), str(conf.get("checkpoint_ns", "")), checkpoint["id"])


class ListQuery:
    """The state of one `list` call: which threads, which LOAD pages, how many left."""

    def __init__(
        self,
        config: RunnableConfig | None,
        before: RunnableConfig | None,
        filter: Mapping[str, Any] | None,
        limit: int | None,
    ) -> None:
        conf = config["configurable"] if config else {}
        self.threads: list[str] | None = [str(conf["thread_id"])] if config else None
        ns = conf.get("checkpoint_ns")
        self.cns, self.all_ns = ("" if ns is None else str(ns)), ns is None
        self.cid = get_checkpoint_id(config) if config else None
        self.before = (get_checkpoint_id(before) if before else None) or ""
        self.filter, self.left = filter, limit
        self.page = _PAGE if filter or limit is None else max(1, min(limit, _PAGE))

    def wanted(self) -> bool:
        """Whether more tuples may be yielded."""
        return self.left is None or self.left > 0

    def args(self, offset: int) -> list[str]:
        """LOAD arguments of the page starting at `offset`."""
        if self.cid:
            return [self.cns, self.cid, "", "0", "1", "0", "1"]
        all_ns = "1" if self.all_ns else "0"
        return [self.cns, "", self.before, str(offset), str(self.page), all_ns, "0"]

    def take(self, found: list[CheckpointTuple]) -> Iterator[CheckpointTuple]:
        """Yield the tuples of a page that pass `before` and the metadata filter."""
        for tup in found:
            cid = tup.config["configurable"]["checkpoint_id"]
            if self.before and cid >= self.before:
                continue
            if not matches(tup.metadata, self.filter):
                continue
            if self.left is not None:
                if self.left <= 0:
                    return
                self.left -= 1
            yield tup

    def done_with(self, scanned: int) -> bool:
        """Whether the thread is exhausted after a page that scanned `scanned` members."""
        return bool(self.cid) or scanned < self.page


_PAGE = 64
