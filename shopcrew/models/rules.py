"""The rules model: an offline, deterministic chat model that plays an agent's dialogue rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from shopcrew.agents.cs.rules import next_message
from shopcrew.models.scripted import stream_chunks

__all__ = ["RulesChatModel", "RulesDialogue"]

RulesDialogue = Callable[[Sequence[BaseMessage], frozenset[str]], AIMessage]
"""Decides the next assistant message from the conversation and the names of the bound tools."""


def _tool_name(tool: Any) -> str:
    if isinstance(tool, BaseTool):
        return tool.name
    if isinstance(tool, dict) and isinstance(tool.get("name"), str):
        return str(tool["name"])
    return str(convert_to_openai_tool(tool)["function"]["name"])


def _brought_dialogue(tools: Sequence[Any]) -> RulesDialogue | None:
    """The rules dialogue a bound tool carries in its metadata (``"rules_dialogue"``), if any."""
    for tool in tools:
        metadata = tool.metadata if isinstance(tool, BaseTool) else None
        dialogue = (metadata or {}).get("rules_dialogue")
        if callable(dialogue):
            return cast(RulesDialogue, dialogue)
    return None


class RulesChatModel(BaseChatModel):
    """An offline chat model whose answers come from an agent's rules, not from a network.

    It reads the whole conversation (user messages, its own earlier tool calls and the tool
    results) and answers with tool calls or with a reply in the customer's language. The
    decision is the ``dialogue`` function, by default the customer-service agent's
    (`shopcrew.agents.cs.rules.next_message`). A bound tool may bring the dialogue that plays
    it, in its metadata under ``"rules_dialogue"`` (the shopping guide's ``recommend`` does):
    bound with such a tool, the model plays that dialogue instead. It is deterministic: the
    same messages give the same answer. It is the default model without an API key, and every
    eval's baseline.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    dialogue: RulesDialogue = next_message
    """Decides the next message (the agent's dialogue rules)."""
    tool_names: frozenset[str] = frozenset()
    """Names of the tools bound with ``bind_tools``; the dialogue only calls these."""

    @property
    def _llm_type(self) -> str:
        return "rules"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": "rules"}

    def _decide(self, messages: list[BaseMessage]) -> AIMessage:
        message = self.dialogue(messages, self.tool_names)
        message.response_metadata.setdefault("model_name", "rules")
        return message

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._decide(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in stream_chunks(self._decide(messages)):
            yield ChatGenerationChunk(message=chunk)

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> RulesChatModel:
        """Return a copy of this model that may call the given tools.

        When one of the tools names the rules dialogue that plays it
        (``metadata["rules_dialogue"]``), the copy plays that dialogue.
        """
        names = frozenset(_tool_name(tool) for tool in tools)
        update: dict[str, Any] = {"tool_names": names}
        brought = _brought_dialogue(tools)
        if brought is not None:
            update["dialogue"] = brought
        return self.model_copy(update=update)
