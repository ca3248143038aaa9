"""ScriptedChatModel: replies decided by a function of the conversation."""

from __future__ import annotations

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from shopcrew.models.scripted import ScriptedChatModel


@tool
def lookup(order_id: str) -> str:
    """Look an order up."""
    return order_id


def _reply(messages: list[BaseMessage]) -> AIMessage:
    last = messages[-1]
    if isinstance(last, ToolMessage):
        return AIMessage(content=f"It is {last.content}.")
    call = {"name": "lookup", "args": {"order_id": "#W1"}, "id": "c1", "type": "tool_call"}
    return AIMessage(content="", tool_calls=[call])


def test_reply_depends_on_the_conversation_and_is_recorded() -> None:
    model = ScriptedChatModel(reply=_reply)
    bound = model.bind_tools([lookup])
    assert bound is model
    first = bound.invoke([HumanMessage("where?")])
    assert first.tool_calls[0]["args"] == {"order_id": "#W1"}
    second = bound.invoke(
        [HumanMessage("where?"), first, ToolMessage("shipped", tool_call_id="c1")]
    )
    assert second.content == "It is shipped."
    assert [len(seen) for seen in model.seen] == [1, 3]
    assert model.bound_tools == [lookup]


def test_stream_yields_words_then_tool_calls_that_add_up() -> None:
    def reply(messages: list[BaseMessage]) -> AIMessage:
        call = {"name": "lookup", "args": {"order_id": "#W2"}, "id": "c2", "type": "tool_call"}
        return AIMessage(content="Let me check.", tool_calls=[call])

    chunks = list(ScriptedChatModel(reply=reply).stream("hi"))
    assert [chunk.content for chunk in chunks if chunk.content] == ["Let ", "me ", "check."]
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.content == "Let me check."
    assert total.tool_calls == [
        {"name": "lookup", "args": {"order_id": "#W2"}, "id": "c2", "type": "tool_call"}
    ]


async def test_async_invoke_uses_the_same_function() -> None:
    model = ScriptedChatModel(reply=lambda messages: AIMessage(content=str(len(messages))))
    reply = await model.ainvoke([HumanMessage("a"), HumanMessage("b")])
    assert reply.content == "2"
