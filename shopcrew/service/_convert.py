"""Graph values to JSON: messages, interrupts, thread snapshots and stream chunks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.types import Interrupt, StateSnapshot
from pydantic import BaseModel

from shopcrew.graphs.approval_gate import waiting_interrupts
from shopcrew.graphs.cs import turn_reply
from shopcrew.service.schemas import InterruptOut, MessageOut, ThreadState
from shopcrew.tools.tau.names import TRANSFER_TOOL

__all__ = [
    "handed_over",
    "interrupts_of",
    "jsonable",
    "message_out",
    "messages_of",
    "reply_of",
    "thread_state",
]

Role = Literal["customer", "assistant", "human_agent", "tool", "system"]


def message_out(message: BaseMessage) -> MessageOut:
    """One message as the API shows it."""
    role: Role
    if isinstance(message, HumanMessage):
        role = "customer"
    elif isinstance(message, ToolMessage):
        role = "tool"
    elif isinstance(message, AIMessage):
        role = "human_agent" if message.name == "human_agent" else "assistant"
    else:
        role = "system"
    calls = message.tool_calls if isinstance(message, AIMessage) else []
    return MessageOut(
        id=message.id,
        role=role,
        content=message.text,
        name=message.name,
        tool_calls=[{"name": c["name"], "args": jsonable(c["args"])} for c in calls],
    )


def messages_of(values: Mapping[str, Any]) -> list[BaseMessage]:
    """The conversation of a thread's values (empty for non-CS threads)."""
    return [m for m in values.get("messages") or [] if isinstance(m, BaseMessage)]


def handed_over(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The customer's messages after the latest transfer to a person, until a person replied."""
    start = 0
    for at, message in enumerate(messages):
        if isinstance(message, ToolMessage) and message.name == TRANSFER_TOOL:
            if message.status != "error":
                start = at + 1
    if start == 0:
        return []
    found: list[BaseMessage] = []
    for message in messages[start:]:
        if isinstance(message, AIMessage) and message.name == "human_agent":
            break
        if isinstance(message, HumanMessage):
            found.append(message)
    return found


def reply_of(messages: Sequence[BaseMessage]) -> str | None:
    """What the assistant (or a person) said since the customer's latest message."""
    return turn_reply(messages) or None


def interrupts_of(snapshot: StateSnapshot) -> list[InterruptOut]:
    """What the thread waits for (its subgraphs' interrupts included), once each."""
    return [_interrupt_out(item) for item in waiting_interrupts(snapshot)]


def _interrupt_out(item: Interrupt) -> InterruptOut:
    value = item.value if isinstance(item.value, dict) else {"value": jsonable(item.value)}
    if "action_hash" in value and "requested_by" in value:
        return InterruptOut(id=item.id, kind="approval", ref=str(value["id"]), value=value)
    if "summary" in value and "thread_id" in value:
        return InterruptOut(id=item.id, kind="escalation", ref=str(value["id"]), value=value)
    return InterruptOut(id=item.id, kind="other", ref=None, value=jsonable(value))


def thread_state(thread_id: str, snapshot: StateSnapshot) -> ThreadState:
    """A snapshot as the API shows it."""
    values = snapshot.values if isinstance(snapshot.values, dict) else {}
    interrupts = interrupts_of(snapshot)
    return ThreadState(
        thread_id=thread_id,
        status="waiting" if interrupts else "idle",
        agent=values.get("agent"),
        next=list(snapshot.next),
        messages=[message_out(m) for m in messages_of(values)],
        interrupts=interrupts,
        escalation=jsonable(values.get("escalation")),
        report=jsonable(values.get("report")),
        event=jsonable(values.get("event")),
    )


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a graph value (messages, interrupts, models, dataclasses)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, BaseMessage):
        return message_out(value).model_dump(mode="json")
    if isinstance(value, Interrupt):
        return {"id": value.id, "value": jsonable(value.value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
