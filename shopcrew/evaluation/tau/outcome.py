"""A τ-bench trial's outcome and what it reads off the conversation: transcript, writes, outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import JsonValue

from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS, TRANSFER_TOOL

__all__ = [
    "TaskOutcome",
    "missing_outputs",
    "transcript_of",
    "transferred_since_customer",
    "writes_of",
]


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """One played conversation and its grade."""

    task_id: str
    passed: bool
    reason: str
    """One of `TAU_REASONS`."""
    final_sha256: str
    expected_sha256: str
    transcript: tuple[Mapping[str, JsonValue], ...]
    """Messages: ``{"role": "customer" | "agent" | "tool", "content", ...}``."""
    note: str = ""
    """The agent's reply the customer could not get past, or the agent's error."""
    writes: tuple[str, ...] = ()
    """Successful write tool calls, in order."""
    missing_outputs: tuple[str, ...] = ()
    """The task's outputs the agent never said."""

    @property
    def customer_turns(self) -> int:
        """Messages the customer wrote."""
        return sum(1 for message in self.transcript if message.get("role") == "customer")

    def detail(self) -> dict[str, JsonValue]:
        """What the result file keeps per trial."""
        return {
            "reason": self.reason,
            "note": self.note[:500],
            "customer_turns": self.customer_turns,
            "writes": list(self.writes),
            "missing_outputs": list(self.missing_outputs),
            "final_db_sha256": self.final_sha256,
            "expected_db_sha256": self.expected_sha256,
        }


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.content, list) else str(message.content)


def transcript_of(messages: Sequence[BaseMessage]) -> list[dict[str, JsonValue]]:
    """The conversation as the transcripts file keeps it (customer, agent, tool)."""
    out: list[dict[str, JsonValue]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            out.append({"role": "customer", "content": _text(message)})
        elif isinstance(message, AIMessage):
            entry: dict[str, JsonValue] = {"role": "agent", "content": _text(message)}
            if message.tool_calls:
                entry["tool_calls"] = [
                    {"name": call["name"], "arguments": dict(call["args"])}
                    for call in message.tool_calls
                ]
            out.append(entry)
        elif isinstance(message, ToolMessage):
            out.append({"role": "tool", "name": message.name or "", "content": _text(message)})
    return out


def writes_of(messages: Sequence[BaseMessage]) -> tuple[str, ...]:
    """The write tools that ran without an error, in order."""
    results = {m.tool_call_id: _text(m) for m in messages if isinstance(m, ToolMessage)}
    done = []
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                result = results.get(call["id"] or "", "Error:")
                if call["name"] in RETAIL_WRITE_TOOLS and not result.startswith("Error"):
                    done.append(call["name"])
    return tuple(done)


def missing_outputs(outputs: Sequence[str], messages: Sequence[BaseMessage]) -> tuple[str, ...]:
    """The outputs no agent reply contains, as τ-bench checks them.

    Case-insensitive, with commas removed from the agent's text (so ``1,234.50`` matches
    ``1234.50``).
    """
    said = [_text(m).lower().replace(",", "") for m in messages if isinstance(m, AIMessage)]
    return tuple(o for o in outputs if not any(o.lower() in text for text in said))


def transferred_since_customer(messages: Sequence[BaseMessage]) -> bool:
    """Whether the agent handed the conversation to a person since the customer last spoke."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return False
        if isinstance(message, ToolMessage) and message.name == TRANSFER_TOOL:
            if not _text(message).startswith("Error"):
                return True
    return False
