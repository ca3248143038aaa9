"""The shopping guide's graph (导购): model, tools, and the reply rendered from `recommend`.

```
START ─► agent ──(tool calls)──► tools ──(recommend ran)──► respond ─► END
           ▲                       │
           └──(other reads)────────┘
   agent ──(a reply: a question, or why nothing fits)──► END
```

`agent` calls the model with the system prompt and the conversation; `tools` runs its tool
calls; after `recommend` has run, `respond` sends the reply rendered from the tool's result
(items, prices, the exact total), so no model writes a number the shopper sees. The latest
result is kept in the state (`proposal`) for whoever embeds the guide.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.policy import Policy, ShoppingSettings
from shopcrew.agents.shopping import (
    GUIDE,
    RECOMMEND_TOOL,
    CatalogIndex,
    RecommendResult,
    build_shopping_tools,
    detect_lang,
    shopping_system_prompt,
)
from shopcrew.tools.adapters import Adapters

__all__ = ["ShoppingState", "build_shopping_guide", "shopping_guide_builder"]

logger = logging.getLogger(__name__)

_GAVE_UP = {
    "en": "Sorry, I could not put a recommendation together. Could you say it another way?",
    "zh": "抱歉，这次没能给出推荐。能换个说法再说一次吗？",
}


class ShoppingState(TypedDict):
    """The shopping guide's state."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation: shopper, assistant and tool messages."""
    proposal: NotRequired[dict[str, Any] | None]
    """The latest `recommend` result (`RecommendResult` as JSON)."""


def _steps_this_turn(messages: Sequence[BaseMessage]) -> int:
    steps = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        steps += isinstance(message, AIMessage)
    return steps


def _latest_result(messages: Sequence[BaseMessage]) -> RecommendResult | None:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return None
        if isinstance(message, ToolMessage) and message.name == RECOMMEND_TOOL:
            try:
                return RecommendResult.model_validate_json(str(message.content))
            except ValueError:
                return None
    return None


class _GuideNodes:
    """The node and routing functions, bound to one guide's model and tools."""

    def __init__(
        self,
        *,
        model: BaseChatModel,
        tools: Sequence[BaseTool],
        prompt: str,
        settings: ShoppingSettings,
    ) -> None:
        self.bound = model.bind_tools(list(tools), tool_choice="auto")
        self.tools = {tool.name: tool for tool in tools}
        self.prompt, self.settings = prompt, settings

    def agent(self, state: ShoppingState, config: RunnableConfig) -> dict[str, Any]:
        """Ask the model for the next assistant message."""
        messages = state["messages"]
        if _steps_this_turn(messages) >= self.settings.max_steps_per_turn:
            latest = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
            lang = detect_lang(latest.text if latest is not None else "")
            logger.warning("shopping guide: step cap reached, giving up the turn")
            return {"messages": [AIMessage(content=_GAVE_UP[lang], name=GUIDE)]}
        response = self.bound.invoke([SystemMessage(content=self.prompt), *messages], config)
        if isinstance(response, AIMessage):
            # Named, so that a crew can tell the guide's turns from customer service's.
            response = response.model_copy(update={"name": GUIDE})
        return {"messages": [response]}

    def tools_node(self, state: ShoppingState, config: RunnableConfig) -> dict[str, Any]:
        """Run the last assistant message's tool calls, in order."""
        last = state["messages"][-1]
        calls = last.tool_calls if isinstance(last, AIMessage) else []
        results: list[ToolMessage] = []
        for call in calls:
            tool = self.tools.get(call["name"])
            if tool is None:
                names = ", ".join(sorted(self.tools))
                content = f"Error: unknown tool {call['name']!r}; the tools are: {names}."
                results.append(
                    ToolMessage(
                        content, tool_call_id=call["id"] or "", name=call["name"], status="error"
                    )
                )
                continue
            output = tool.invoke({**call, "type": "tool_call"}, config)
            if not isinstance(output, ToolMessage):
                output = ToolMessage(str(output), tool_call_id=call["id"] or "", name=call["name"])
            results.append(output)
        return {"messages": results}

    def respond(self, state: ShoppingState) -> dict[str, Any]:
        """Send the reply rendered from the latest `recommend` result."""
        result = _latest_result(state["messages"])
        if result is None:
            return {}
        return {
            "messages": [AIMessage(content=result.reply, name=GUIDE)],
            "proposal": result.model_dump(mode="json", exclude_none=True),
        }

    def after_agent(self, state: ShoppingState) -> Literal["tools", "__end__"]:
        """Run the tools the model called, or end the turn on a plain reply."""
        last = state["messages"][-1]
        return "tools" if isinstance(last, AIMessage) and last.tool_calls else "__end__"

    def after_tools(self, state: ShoppingState) -> Literal["agent", "respond"]:
        """Reply from `recommend`'s result once it ran (successfully), else back to the model."""
        return "respond" if _latest_result(state["messages"]) is not None else "agent"


def shopping_guide_builder(
    *,
    model: BaseChatModel,
    adapters: Adapters | None = None,
    merchant_id: str = "default",
    policy: Policy | ShoppingSettings | None = None,
    catalog: CatalogIndex | None = None,
) -> StateGraph[ShoppingState]:
    """The guide's uncompiled graph; compile it with the checkpointer and store you choose.

    Args:
        model: A chat model that supports `bind_tools` (the rules model plays the guide's
            policy when bound with its tools).
        adapters: The merchant's adapters; the reference store when omitted.
        merchant_id: The merchant.
        policy: The merchant policy (its `shopping_guide` settings and `currency` apply), or
            the guide's settings alone; defaults when omitted.
        catalog: An index of `adapters.catalog` already built (to share between graphs);
            built from the adapters when omitted.
    """
    adapters = adapters or Adapters.reference(merchant_id=merchant_id)
    merchant = policy if isinstance(policy, Policy) else Policy()
    settings = policy if isinstance(policy, ShoppingSettings) else merchant.shopping_guide
    catalog = catalog or CatalogIndex.from_adapter(adapters.catalog)
    tools = build_shopping_tools(adapters, catalog=catalog, currency=merchant.currency)
    prompt = shopping_system_prompt(merchant_id=merchant_id, catalog=catalog, settings=settings)
    nodes = _GuideNodes(model=model, tools=tools, prompt=prompt, settings=settings)
    builder = StateGraph(ShoppingState)
    builder.add_node("agent", nodes.agent)
    builder.add_node("tools", nodes.tools_node)
    builder.add_node("respond", nodes.respond)
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", nodes.after_agent, ["tools", END])
    builder.add_conditional_edges("tools", nodes.after_tools, ["agent", "respond"])
    builder.add_edge("respond", END)
    return builder


def build_shopping_guide(
    *,
    model: BaseChatModel,
    adapters: Adapters | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    merchant_id: str = "default",
    policy: Policy | ShoppingSettings | None = None,
    catalog: CatalogIndex | None = None,
) -> CompiledStateGraph[ShoppingState]:
    """The shopping guide, compiled: invoke it per thread with the shopper's messages.

    Each `invoke({"messages": [HumanMessage(...)]}, {"configurable": {"thread_id": ...}})`
    answers one shopper message: a recommendation (state `proposal`), one question about a
    missing budget, or why nothing fits.

    Args:
        model: A chat model that supports `bind_tools`.
        adapters: The merchant's adapters; the reference store when omitted.
        checkpointer: Where conversations are kept; in memory when omitted.
        store: Long-term store; in memory when omitted.
        merchant_id: The merchant.
        policy: The merchant policy, or the guide's settings alone.
        catalog: An index of `adapters.catalog` already built (see `shopping_guide_builder`).
    """
    builder = shopping_guide_builder(
        model=model, adapters=adapters, merchant_id=merchant_id, policy=policy, catalog=catalog
    )
    return builder.compile(
        checkpointer=checkpointer or InMemorySaver(), store=store or InMemoryStore()
    )
