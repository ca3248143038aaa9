"""The run's transcript: one JSON line per event with what it produced, in simulated time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from shopcrew.agents.cs.guard import BLOCKED_PREFIX

__all__ = ["BLOCKED_PREFIX", "message_text", "summarise_messages", "write_transcript"]


_RESULT_CHARS = 300


def message_text(message: BaseMessage) -> str:
    """A message's text, whatever its content shape."""
    content = message.content
    if isinstance(content, str):
        return content
    return " ".join(
        str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content
    )


def summarise_messages(messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """The replies, tool calls (with results) and guard refusals among new messages."""
    replies: list[dict[str, Any]] = []
    calls: dict[str, dict[str, Any]] = {}
    ordered: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, AIMessage):
            text = message_text(message).strip()
            if text:
                replies.append({"by": message.name or "cs_agent", "text": text})
            for call in message.tool_calls:
                item: dict[str, Any] = {
                    "name": call["name"],
                    "args": call["args"],
                    "result": None,
                    "ok": None,
                }
                calls[call["id"] or ""] = item
                ordered.append(item)
        elif isinstance(message, ToolMessage) and message.tool_call_id in calls:
            text = message_text(message)
            item = calls[message.tool_call_id]
            item["result"] = text[:_RESULT_CHARS]
            item["ok"] = message.status != "error" and not text.startswith("Error:")
            item["blocked"] = text.startswith(BLOCKED_PREFIX)
    return {"replies": replies, "tool_calls": ordered}


def write_transcript(path: Path, lines: Iterable[Mapping[str, Any]]) -> None:
    """Write the transcript, one JSON object per line (overwrites)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as sink:
        for line in lines:
            sink.write(json.dumps(line, ensure_ascii=False, sort_keys=True, default=str) + "\n")
