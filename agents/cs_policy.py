"""The CS agent's rules policy: the next assistant message, decided from the transcript."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage

__all__ = ["decide"]


def decide(messages: Sequence[BaseMessage], tool_names: frozenset[str]) -> AIMessage:
    """Decide the CS agent's next message (placeholder until the state machine lands)."""
    return AIMessage(content="Hello! How can I help you today?")
