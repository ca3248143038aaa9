"""A chat model whose every answer is decided by a function of the messages: the test double."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

__all__ = ["ScriptedChatModel", "stream_chunks"]

_WORD = re.compile(r"\S+\s*|\s+")


def stream_chunks(message: AIMessage) -> Iterator[AIMessageChunk]:
    """Cut a whole message into the chunks a streaming provider would send.

    The content comes word by word; each tool call follows as one chunk of its own (arguments as a
    JSON string, as providers stream them). Adding the chunks up gives back ``message``'s content
    and tool calls.

    Args:
        message: The complete answer.

    Yields:
        Chunks whose sum equals the message.
    """
    import json

    words = _WORD.findall(message.content) if isinstance(message.content, str) else []
    for word in words:
        yield AIMessageChunk(content=word, id=message.id)
    for index, call in enumerate(message.tool_calls):
        chunk = tool_call_chunk(
            name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=index
        )
        yield AIMessageChunk(content="", tool_call_chunks=[chunk], id=message.id)
    if message.usage_metadata is not None:
        yield AIMessageChunk(content="", usage_metadata=message.usage_metadata, id=message.id)


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers with whatever ``reply(messages)`` returns.

    As pydantic-ai's ``FunctionModel``, a test states the model's decision as ordinary code over
    what the model was shown, so replies can depend on the conversation (tool results included).
    Tool calls are part of the returned ``AIMessage``; ``bind_tools`` returns the model itself, and
    ``stream`` cuts the answer into chunks.

    Example:
        >>> model = ScriptedChatModel(reply=lambda messages: AIMessage(content="hi"))
        >>> model.invoke("hello").content
        'hi'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reply: Callable[[list[BaseMessage]], AIMessage]
    """Decides the answer from the messages the model was shown."""
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    """Every message list the model was called with, in order."""
    bound_tools: list[Any] = Field(default_factory=list)
    """The tools of the last ``bind_tools`` call, kept for assertions (replies ignore them)."""

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _answer(self, messages: list[BaseMessage]) -> AIMessage:
        self.seen.append(list(messages))
        return self.reply(list(messages))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._answer(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in stream_chunks(self._answer(messages)):
            if run_manager is not None and isinstance(chunk.content, str) and chunk.content:
                run_manager.on_llm_new_token(chunk.content, chunk=None)
            yield ChatGenerationChunk(message=chunk)

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> ScriptedChatModel:
        """Record the tools and return this same model (its replies already name the tools)."""
        self.bound_tools = list(tools)
        return self
