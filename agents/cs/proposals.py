"""Structured proposals: the one change the customer is asked to confirm, as data.

Before any write the agent (an LLM or the rules model) calls `propose_action` with the write
tool's name and its complete arguments. The CS graph checks the proposal (`CsGuard.propose`),
renders the confirmation text from it (`confirmation_text`) and shows that text to the
customer as the turn's last message. The proposal travels in the `propose_action` tool
message's artifact, so the guard reads it back from the conversation itself:

```
AI(tool_calls=[propose_action])  ─►  Tool(propose_action, artifact=proposal)
                                 ─►  AI(confirmation text, response_metadata.proposal_id)
                                 ─►  Human("yes")  ─►  AI(tool_calls=[<the same write>])
```

A customer message *answers* a proposal only when it comes right after that confirmation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.agents.cs.language import Lang
from shopcrew.tools.tau.names import (
    ITEM_CHANGE_TOOLS,
    RETAIL_WRITE_TOOLS,
    WriteToolName,
    retail_tool_args,
)

__all__ = [
    "PROPOSAL_ID_KEY",
    "PROPOSE_TOOL",
    "Proposal",
    "ProposeActionArgs",
    "answered_proposal",
    "as_proposal_call",
    "build_propose_tool",
    "normalised_arguments",
]

PROPOSE_TOOL: Final = "propose_action"
"""The tool a model calls to propose a change."""

PROPOSAL_ID_KEY: Final = "proposal_id"
"""The `response_metadata` key that marks the confirmation message with its proposal's id."""

_DESCRIPTION: Final = (
    "Propose ONE change to the customer before making it. `name` is the write tool "
    "(cancel_pending_order, modify_pending_order_address, modify_pending_order_payment, "
    "modify_pending_order_items, return_delivered_order_items, exchange_delivered_order_items, "
    "modify_user_address) and `arguments` are that tool's complete arguments, exactly as you "
    "will call it. The customer is shown a confirmation rendered from them, and this turn ends. "
    "Call the write tool, with exactly these arguments, only when the customer's next message "
    "is an explicit yes; for anything else (a question, a correction, a hesitation) answer it "
    "or propose again."
)


class ProposeActionArgs(BaseModel):
    """Arguments of `propose_action`: a write tool and its complete arguments."""

    model_config = ConfigDict(extra="forbid")

    name: WriteToolName = Field(description="The write tool the change will be made with.")
    arguments: dict[str, Any] = Field(
        description="That tool's complete arguments, exactly as it will be called."
    )


@dataclass(frozen=True, slots=True)
class Proposal:
    """A checked proposal and the confirmation text the customer was shown."""

    id: str
    """The id of the `propose_action` call."""
    name: str
    """The write tool."""
    arguments: Mapping[str, Any]
    """Its complete arguments, normalised by the tool's own argument model."""
    text: str
    """The confirmation text rendered from the arguments."""
    lang: Lang

    def to_artifact(self) -> dict[str, Any]:
        """The proposal as the JSON the tool message carries."""
        return {
            "id": self.id,
            "name": self.name,
            "arguments": dict(self.arguments),
            "text": self.text,
            "lang": self.lang,
        }

    @classmethod
    def from_artifact(cls, artifact: object) -> Proposal | None:
        """Read a proposal back from a tool message's artifact (None when it holds none)."""
        if not isinstance(artifact, Mapping):
            return None
        try:
            lang: Lang = "zh" if artifact["lang"] == "zh" else "en"
            return cls(
                id=str(artifact["id"]),
                name=str(artifact["name"]),
                arguments=dict(artifact["arguments"]),
                text=str(artifact["text"]),
                lang=lang,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def matches(self, name: str, arguments: Mapping[str, Any]) -> bool:
        """Whether a write call is this proposal, field by field.

        Item lists compare as multisets (of `(item_id, new_item_id)` pairs for item changes);
        every other argument exactly; a missing or extra argument makes the call different.
        """
        if name != self.name:
            return False
        given = normalised_arguments(name, arguments)
        return given is not None and _comparable(name, given) == _comparable(name, self.arguments)


def as_proposal_call(call: ToolCall) -> ToolCall | None:
    """The call as a `propose_action` call, or None when it proposes nothing.

    `propose_<write tool>(**its arguments)` (for example `propose_cancel_pending_order`) is
    accepted as the same proposal as `propose_action(name=<write tool>, arguments=...)`.
    """
    name = call["name"]
    if name == PROPOSE_TOOL:
        return call
    write = name.removeprefix("propose_")
    if name.startswith("propose_") and write in RETAIL_WRITE_TOOLS:
        args = {"name": write, "arguments": dict(call["args"])}
        return ToolCall(name=PROPOSE_TOOL, args=args, id=call["id"], type="tool_call")
    return None


def normalised_arguments(name: str, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
    """A write's arguments validated by its own argument model, or None when they fail it."""
    try:
        return retail_tool_args(name).model_validate(dict(arguments)).model_dump(mode="json")
    except (KeyError, ValidationError):
        return None


def _comparable(name: str, arguments: Mapping[str, Any]) -> dict[str, object]:
    values: dict[str, object] = {
        key: value for key, value in arguments.items() if key not in {"item_ids", "new_item_ids"}
    }
    items = [str(item) for item in arguments.get("item_ids", [])]
    if name in ITEM_CHANGE_TOOLS:
        new = [str(item) for item in arguments.get("new_item_ids", [])]
        values["pairs"] = Counter(zip(items, new, strict=False)) if len(items) == len(new) else None
    elif "item_ids" in arguments:
        values["items"] = Counter(items)
    return values


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.content, list) else str(message.content)


def answered_proposal(messages: Sequence[BaseMessage]) -> Proposal | None:
    """The proposal the customer's latest message answers, if it answers one.

    It answers a proposal only when it comes right after that proposal's confirmation, which
    comes right after the `propose_action` tool message that holds it: any other message in
    between (another reply, another customer message) means the customer answered that.

    Args:
        messages: The conversation up to and including the customer's latest message (later
            assistant and tool messages are ignored).
    """
    latest = next(
        (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)),
        None,
    )
    if latest is None or latest < 2:
        return None
    confirmation, tool = messages[latest - 1], messages[latest - 2]
    if not isinstance(confirmation, AIMessage) or confirmation.tool_calls:
        return None
    if not isinstance(tool, ToolMessage) or tool.name != PROPOSE_TOOL or tool.status == "error":
        return None
    proposal = Proposal.from_artifact(tool.artifact)
    if proposal is None or proposal.id != tool.tool_call_id:
        return None
    if confirmation.response_metadata.get(PROPOSAL_ID_KEY) != proposal.id:
        return None
    return proposal if proposal.text in _text(confirmation) else None


def _outside_the_graph(name: str, arguments: dict[str, Any]) -> str:
    raise ToolException(
        "propose_action runs inside shopcrew's customer-service graph, which checks the "
        "proposal and shows its confirmation to the customer; build the agent with "
        "shopcrew.build_cs_agent."
    )


def build_propose_tool() -> BaseTool:
    """The `propose_action` tool a model is given (the CS graph runs it, through the guard)."""
    return StructuredTool(
        name=PROPOSE_TOOL,
        description=_DESCRIPTION,
        args_schema=ProposeActionArgs,
        func=_outside_the_graph,
        handle_tool_error=True,
    )
