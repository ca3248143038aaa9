"""The messages the CS graph writes and reads: tool results, confirmations, safe replies."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from uuid import uuid4

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    ToolCall,
    ToolMessage,
)

from shopcrew.agents.cs.confirmation_text import again
from shopcrew.agents.cs.guard import (
    BLOCKED_PREFIX,
    Conversation,
    Refusal,
)
from shopcrew.agents.cs.proposals import (
    PROPOSAL_ID_KEY,
    PROPOSE_TOOL,
    Proposal,
)
from shopcrew.tools.tau.names import IDENTIFY_TOOLS, RETAIL_WRITE_TOOLS, TRANSFER_TOOL

__all__ = [
    "after_call",
    "asks",
    "confirmation_message",
    "customer_safe",
    "error_message",
    "is_confirmation",
    "own_message",
    "proposal_message",
    "refusal_message",
    "steps_this_turn",
    "succeeded",
    "transferred",
    "turn_reply",
]

logger = logging.getLogger(__name__)


def succeeded(message: ToolMessage) -> bool:
    content = message.content if isinstance(message.content, str) else ""
    return message.status != "error" and not content.startswith("Error:")


def steps_this_turn(messages: Sequence[BaseMessage]) -> int:
    steps = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        steps += isinstance(message, AIMessage)
    return steps


def turn_reply(messages: Sequence[BaseMessage]) -> str:
    """What the customer reads of the latest turn: every assistant text since their message.

    A turn can say several things, each its own message: text beside a tool call ("You asked
    for two things...") and, last, a proposal's confirmation. They are joined by a blank line.
    """
    said: list[str] = []
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.text.strip():
            said.insert(0, message.text.strip())
    return "\n\n".join(said)


def transferred(messages: Sequence[BaseMessage]) -> bool:
    """The latest tool results include a successful transfer to a person."""
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            return False
        if message.name == TRANSFER_TOOL and succeeded(message):
            return True
    return False


def refusal_message(call: ToolCall, refusal: Refusal) -> ToolMessage:
    return ToolMessage(
        content=refusal.content,
        tool_call_id=call["id"] or "",
        name=call["name"],
        status="error",
        artifact={"refusal": refusal.code, "customer_text": refusal.customer_text},
    )


def proposal_message(call: ToolCall, proposal: Proposal) -> ToolMessage:
    return ToolMessage(
        content=(
            f"Proposal shown to the customer: {proposal.text} Call {proposal.name} with exactly "
            "these arguments only after their explicit yes."
        ),
        tool_call_id=call["id"] or "",
        name=PROPOSE_TOOL,
        artifact=proposal.to_artifact(),
    )


def confirmation_message(proposal: Proposal, messages: Sequence[BaseMessage]) -> AIMessage:
    """The turn's last message: the confirmation rendered from the proposal, and nothing else.

    What the model said beside the proposal stays in its own message, shown before this one.
    A confirmation shown before in the conversation starts with a word saying so
    (`confirmation_text.again`), so the customer never reads the same message twice.
    """
    shown = sum(
        isinstance(m, AIMessage) and isinstance(m.content, str) and proposal.text in m.content
        for m in messages
    )
    return AIMessage(
        content=again(proposal.lang, shown) + proposal.text,
        id=f"confirm-{uuid4().hex}",
        response_metadata={PROPOSAL_ID_KEY: proposal.id},
    )


_QUESTION_MARKS = frozenset("?？")
_INTERNAL_ID = re.compile(r"\b(?:credit_card|gift_card|paypal)_\d+\b")
"""A payment method's internal id, which a refusal's text for the model may name."""


_CONFIRMATION_CUES = re.compile(r"please confirm|reply\W+yes|请确认|回复\W*确认", re.IGNORECASE)
"""Words of a confirmation: the model's own text may not look like one."""


def asks(message: BaseMessage) -> bool:
    """Whether the model's own text beside a proposal asks something or mimics a confirmation.

    The customer's yes must answer the rendered confirmation alone, not a question or another
    "please confirm" that the model wrote just before it.
    """
    if not isinstance(message, AIMessage):
        return False
    text = message.text
    return any(ch in text for ch in _QUESTION_MARKS) or bool(_CONFIRMATION_CUES.search(text))


def after_call(conversation: Conversation, name: str) -> Conversation:
    """The conversation as the message's later calls see it, after a call ran (or was refused)."""
    if name in RETAIL_WRITE_TOOLS:
        # One yes, one write attempt: whatever its outcome, the yes is used up.
        return replace(conversation, attempted_write=True)
    if name in IDENTIFY_TOOLS:
        # One identification per message: a later one cannot replace the first.
        return replace(conversation, identify_attempted=True)
    return conversation


def own_message(response: BaseMessage, messages: Sequence[BaseMessage]) -> AIMessage:
    """The model's answer as a new assistant message that can change nothing already said.

    LangGraph's message list replaces a message that has the id of an earlier one, so an
    answer that reused an id (or came as another kind of message) could rewrite the customer's
    words, a tool result or a confirmation. The answer becomes an `AIMessage` with an id no
    earlier message has, tool call ids that are unique in the conversation, and no metadata
    that marks a confirmation: only the graph writes those.
    """
    taken = {m.id for m in messages if m.id} | {
        call["id"] for m in messages if isinstance(m, AIMessage) for call in m.tool_calls
    }
    if not isinstance(response, AIMessage):
        logger.warning("the model answered with a %s; kept as text", type(response).__name__)
        return AIMessage(content=response.text, id=f"msg-{uuid4().hex}")
    calls = []
    for call in response.tool_calls:
        call_id = call["id"]
        if not call_id or call_id in taken:
            call_id = f"call_{uuid4().hex[:24]}"
        taken.add(call_id)
        calls.append(ToolCall(name=call["name"], args=call["args"], id=call_id, type="tool_call"))
    metadata = {k: v for k, v in response.response_metadata.items() if k != PROPOSAL_ID_KEY}
    changed = (
        response.id in taken
        or calls != response.tool_calls
        or metadata != response.response_metadata
    )
    if not changed:
        return response
    return response.model_copy(
        update={
            "id": f"msg-{uuid4().hex}" if response.id in taken else response.id,
            "tool_calls": calls,
            "response_metadata": metadata,
        }
    )


def customer_safe(response: BaseMessage, messages: Sequence[BaseMessage]) -> BaseMessage:
    """The model's reply, unless it passes the guard's internal text on to the customer.

    A reply that quotes a refusal of this turn (`Error: blocked by policy: ...`) is replaced
    by the refusals' customer-facing explanations, in the customer's language.
    """
    if not isinstance(response, AIMessage) or response.tool_calls:
        return response
    said = response.text
    explanations: list[str] = []
    quoted = False
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, ToolMessage) and isinstance(message.artifact, Mapping):
            text = message.artifact.get("customer_text")
            if isinstance(text, str) and text not in explanations:
                explanations.insert(0, text)
                reason = message.text.removeprefix(BLOCKED_PREFIX).strip()[:40].casefold()
                quoted = quoted or (bool(reason) and reason in said.casefold())
    leaked = quoted or BLOCKED_PREFIX in said or "blocked by policy" in said or "Error:" in said
    if not explanations or not (leaked or _INTERNAL_ID.search(said)):
        return response
    logger.warning("the model quoted a guard refusal to the customer; replaced it")
    return AIMessage(content=" ".join(explanations), id=response.id)


def is_confirmation(message: BaseMessage) -> bool:
    return isinstance(message, AIMessage) and PROPOSAL_ID_KEY in message.response_metadata


def error_message(call: ToolCall, reason: str) -> ToolMessage:
    return ToolMessage(
        content=f"Error: {reason}",
        tool_call_id=call["id"] or "",
        name=call["name"],
        status="error",
    )
