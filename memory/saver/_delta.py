"""`DeltaChannel` support of `RedisSaver`: a channel's history along the parent chain.

LangGraph's `DeltaChannel` stores no value in most checkpoints; a graph rebuilds it from the
seed stored at the nearest ancestor and the writes made since. The base class walks the
parents one `get_tuple` at a time; here one Lua call walks the chain on the server and sends
back only the requested channels' writes and seeds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import DeltaChannelHistory, PendingWrite, get_checkpoint_id
from langgraph.checkpoint.serde.base import SerializerProtocol

from shopcrew.memory.saver import _codec, _scripts
from shopcrew.memory.saver._base import SaverBase
from shopcrew.memory.saver._core import Script, as_bytes, as_text, pending_writes

__all__ = ["SaverHistory", "parse_history"]

_HISTORY = Script.of(_scripts.HISTORY)


class SaverHistory(SaverBase):
    """Mixin of `RedisSaver` answering `get_delta_channel_history` in one round trip."""

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """Per channel, the seed and the writes along the parent chain; one script call.

        Same contract as `BaseCheckpointSaver.get_delta_channel_history`: for each channel,
        the writes stored at the target's ancestors (oldest first, each checkpoint's writes
        in `writes_sort_key` order) back to the nearest ancestor holding a stored value,
        which is the `seed` (absent when the walk reached the root without one).

        Args:
            config: The target checkpoint (without `checkpoint_id`, the thread's latest).
            channels: The channels to rebuild.
        """
        if not channels:
            return {}
        tid, args = _history_args(config, channels)
        reply = self._eval(_HISTORY, self._keys(tid), args)
        return parse_history(self.serde, tid, channels, reply, where=self._server)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """Async twin of `get_delta_channel_history`."""
        if self._sync_only():
            return await asyncio.to_thread(
                self.get_delta_channel_history, config=config, channels=channels
            )
        if not channels:
            return {}
        tid, args = _history_args(config, channels)
        reply = await self._aeval(_HISTORY, self._keys(tid), args)
        return parse_history(self.serde, tid, channels, reply, where=self._server)


def _history_args(config: RunnableConfig, channels: Sequence[str]) -> tuple[str, list[str]]:
    conf = config["configurable"]
    cns = str(conf.get("checkpoint_ns", ""))
    return str(conf["thread_id"]), [cns, get_checkpoint_id(config) or "", *channels]


def parse_history(
    serde: SerializerProtocol,
    thread_id: str,
    channels: Sequence[str],
    reply: Sequence[Any],
    *,
    where: str,
) -> dict[str, DeltaChannelHistory]:
    """Turn the HISTORY script's reply (nearest ancestor first) into per-channel histories.

    Args:
        serde: The serializer.
        thread_id: The thread, for error messages.
        channels: The channels asked for; each gets an entry.
        reply: `[checkpoint_id, [field, write, ...], [[channel, ln, segment...]...]]` per
            ancestor, nearest first.
        where: The server, for error messages.
    """
    writes: dict[str, list[PendingWrite]] = {ch: [] for ch in channels}
    seeds: dict[str, Any] = {}
    for raw_id, raw_writes, raw_seeds in reversed(reply):
        what = f"checkpoint {as_text(raw_id)!r} of thread {thread_id!r} in {where}"
        # A seed is the value before its checkpoint's own writes, which follow it; the
        # script walked no channel past its seed, so no older write of it came back.
        for seed in raw_seeds:
            present, value = _codec.decode_blob(serde, [as_bytes(s) for s in seed[2:]], what=what)
            if present:
                seeds[as_text(seed[0])] = value
        for task_id, channel, value in pending_writes(serde, raw_writes, what=what):
            if channel in writes:
                writes[channel].append((task_id, channel, value))
    out: dict[str, DeltaChannelHistory] = {}
    for ch in channels:
        entry: DeltaChannelHistory = {"writes": writes[ch]}
        if ch in seeds:
            entry["seed"] = seeds[ch]
        out[ch] = entry
    return out
