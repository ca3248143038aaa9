"""A three-node chat turn (router -> agent -> tool) for checkpointer tests: 5 checkpoints a turn.

Message ids are deterministic (`h-<turn>`, `ai-<n>`, `t-<n>`, n = messages before the node), so
tests can compare whole histories.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph

__all__ = ["ChatState", "chat_graph", "turn"]


class ChatState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    route: str


def router(state: ChatState) -> dict[str, Any]:
    return {"route": "agent"}


def agent(state: ChatState) -> dict[str, Any]:
    n = len(state["messages"])
    return {"messages": [AIMessage(content=f"answer {n} " + "x" * 180, id=f"ai-{n}")]}


def tool(state: ChatState) -> dict[str, Any]:
    n = len(state["messages"])
    return {"messages": [ToolMessage(content=f"tool {n}", tool_call_id=f"c{n}", id=f"t-{n}")]}


def chat_graph(checkpointer: Any) -> CompiledStateGraph[Any]:
    """The compiled chat graph over `checkpointer`."""
    builder = StateGraph(ChatState)
    builder.add_node("router", router)
    builder.add_node("agent", agent)
    builder.add_node("tool", tool)
    builder.add_edge(START, "router")
    builder.add_edge("router", "agent")
    builder.add_edge("agent", "tool")
    builder.add_edge("tool", END)
    return builder.compile(checkpointer=checkpointer)


def turn(i: int) -> dict[str, Any]:
    """The input of turn `i`: one human message of about 190 characters."""
    return {"messages": [HumanMessage(content=f"question {i} " + "q" * 180, id=f"h-{i}")]}
