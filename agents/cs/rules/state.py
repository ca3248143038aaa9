"""The CS rules model's dialogue state, derived afresh from the transcript on every call.

The rules model keeps no memory of its own: who the customer is, what their account and orders
hold, which tools ran in the current turn and what the customer has asked for so far are all
read back from the messages (customer turns, the agent's tool calls, the tool results).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from shopcrew.agents.cs.rules.nlu import Lang, Understanding, detect_language, understand
from shopcrew.agents.cs.rules.questions import SideQuestion, split_questions
from shopcrew.tools.langchain.identify import CUSTOMER_IDENTIFY_TOOLS
from shopcrew.tools.tau.names import (
    GET_ORDER_DETAILS,
    GET_PRODUCT_DETAILS,
    GET_USER_DETAILS,
    MODIFY_USER_ADDRESS,
    ORDER_WRITE_TOOLS,
    RETAIL_WRITE_TOOLS,
    TRANSFER_TO_HUMAN_AGENTS,
)

__all__ = [
    "DialogueState",
    "ToolEvent",
    "derive_state",
    "message_text",
]


@dataclass(frozen=True, slots=True)
class ToolEvent:
    """One tool call of the agent and its result."""

    name: str
    args: Mapping[str, Any]
    result: str | None
    """The tool's result string, None while it has not come back."""
    turn: int
    """Index of the customer turn it answers (-1 before the first turn)."""
    explanation: str | None = None
    """For a call the guard refused: what the customer may be told, in their language."""

    @property
    def ok(self) -> bool:
        """Whether the call came back without an error."""
        return self.result is not None and not self.result.startswith(("Error:", "Unknown action"))


@dataclass(frozen=True, slots=True)
class DialogueState:
    """What the transcript says so far."""

    lang: Lang
    humans: tuple[str, ...]
    """The customer's messages, in order, without the information questions asked beside an
    action (`questions`)."""
    understood: tuple[Understanding, ...]
    """`understand` of each customer message (as in `humans`)."""
    events: tuple[ToolEvent, ...]
    user_id: str | None = None
    """The customer, from the first successful identification."""
    user: Mapping[str, Any] | None = None
    """Their latest ``get_user_details`` record."""
    orders: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    products: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    last_write_turn: int = -1
    """The customer turn answered by the latest successful write (-1: none)."""
    transferred: bool = False
    user_stale: bool = False
    """Whether an order write (a refund, a charge) came back after the latest record read: the
    record's gift-card balances may be out of date."""
    prev_reply_index: int | None = None
    """Message index of the agent's last plain reply before the latest customer turn."""
    call_count: int = 0
    questions: tuple[tuple[SideQuestion, ...], ...] = ()
    """The information questions each customer message asks beside an action."""
    currency: str = "USD"
    """The shop's currency, from the system prompt's ``Shop currency: CNY.`` line."""

    @property
    def turn(self) -> int:
        """Index of the latest customer turn."""
        return len(self.humans) - 1

    @property
    def turn_events(self) -> tuple[ToolEvent, ...]:
        """Tool calls made since the latest customer message."""
        return tuple(event for event in self.events if event.turn == self.turn)

    @property
    def window(self) -> tuple[int, ...]:
        """Customer turns of the current request: those after the latest successful write."""
        return tuple(range(self.last_write_turn + 1, len(self.humans)))

    def tried(self, name: str, args: Mapping[str, Any]) -> bool:
        """Whether a call with this name and these arguments was already made."""
        return any(event.name == name and dict(event.args) == dict(args) for event in self.events)

    def record(self, event: ToolEvent) -> Mapping[str, Any] | None:
        """The JSON record a successful call returned (an order, a user), else None."""
        return _load(event.result) if event.ok and event.result is not None else None

    def user_before(self, write: ToolEvent) -> Mapping[str, Any] | None:
        """The customer's latest record read before a call."""
        found: Mapping[str, Any] | None = None
        for event in self.events:
            if event is write:
                break
            if event.name in {GET_USER_DETAILS, MODIFY_USER_ADDRESS}:
                found = self.record(event) or found
        return found

    def latest(self) -> Understanding:
        """The understanding of the latest customer message."""
        return self.understood[-1]


def message_text(message: BaseMessage) -> str:
    """The text of a message whose content is a string or a list of parts."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append(str(part["text"]))
    return "".join(parts)


_CURRENCY = re.compile(r"^Shop currency: ([A-Z]{3})\.", re.MULTILINE)
"""The line `shopcrew.agents.cs.agent.CS_CURRENCY_NOTE` writes into the system prompt."""


def _load(result: str) -> Mapping[str, Any] | None:
    try:
        value = json.loads(result)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def derive_state(messages: Sequence[BaseMessage]) -> DialogueState:
    """Read the dialogue state out of the messages the model was shown."""
    humans: list[str] = []
    calls: list[tuple[str, str, Mapping[str, Any], int]] = []
    results: dict[str, str] = {}
    explanations: dict[str, str] = {}
    prev_reply: int | None = None
    last_reply: int | None = None
    currency = "USD"
    for index, message in enumerate(messages):
        if message.type == "system":
            found = _CURRENCY.search(message_text(message))
            currency = found.group(1) if found else currency
        elif message.type == "human":
            humans.append(message_text(message))
            prev_reply = last_reply
        elif isinstance(message, AIMessage):
            if message.tool_calls:
                for call in message.tool_calls:
                    calls.append(
                        (str(call.get("id")), call["name"], dict(call["args"]), len(humans) - 1)
                    )
            else:
                last_reply = index
        elif isinstance(message, ToolMessage):
            results[str(message.tool_call_id)] = message_text(message)
            artifact = message.artifact
            if isinstance(artifact, Mapping) and isinstance(artifact.get("customer_text"), str):
                explanations[str(message.tool_call_id)] = str(artifact["customer_text"])
    events = tuple(
        ToolEvent(name, args, results.get(call_id), turn, explanations.get(call_id))
        for call_id, name, args, turn in calls
    )
    lang = detect_language(" ".join(humans)) if humans else "en"
    split = [split_questions(text, lang) for text in humans]
    humans = [rest for rest, _ in split]
    understood = tuple(understand(text, default_lang=lang) for text in humans)
    user_id: str | None = None
    user: Mapping[str, Any] | None = None
    orders: dict[str, Mapping[str, Any]] = {}
    products: dict[str, Mapping[str, Any]] = {}
    last_write_turn = -1
    transferred = False
    user_stale = False
    for event in events:
        if not event.ok or event.result is None:
            continue
        if event.name in CUSTOMER_IDENTIFY_TOOLS and user_id is None:
            user_id = event.result.strip()
        elif event.name == TRANSFER_TO_HUMAN_AGENTS:
            transferred = True
        record = _load(event.result)
        if record is None:
            continue
        if event.name in {GET_USER_DETAILS, MODIFY_USER_ADDRESS}:
            user = record
            user_stale = False
        elif event.name == GET_ORDER_DETAILS or event.name in ORDER_WRITE_TOOLS:
            orders[str(record.get("order_id"))] = record
        elif event.name == GET_PRODUCT_DETAILS:
            products[str(record.get("product_id"))] = record
        if event.name in RETAIL_WRITE_TOOLS:
            last_write_turn = max(last_write_turn, event.turn)
        if event.name in ORDER_WRITE_TOOLS:
            user_stale = True
    return DialogueState(
        lang=lang,
        humans=tuple(humans),
        understood=understood,
        events=events,
        user_id=user_id,
        user=user,
        orders=orders,
        products=products,
        last_write_turn=last_write_turn,
        transferred=transferred,
        user_stale=user_stale,
        prev_reply_index=prev_reply,
        call_count=len(calls),
        questions=tuple(questions for _, questions in split),
        currency=currency,
    )
