"""The CS graph's node and routing functions, bound to one agent's model, tools and guard."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.store.base import BaseStore
from opentelemetry.trace import Span

from shopcrew.agents.cs.agent import cs_system_prompt, open_ticket
from shopcrew.agents.cs.guard import (
    Conversation,
    CsGuard,
    Refusal,
    question_beside_proposal,
    read_conversation,
)
from shopcrew.agents.cs.proposals import (
    Proposal,
    as_proposal_call,
)
from shopcrew.agents.cs.rules.nlu import detect_language
from shopcrew.agents.policy import CsSettings
from shopcrew.graphs._turn_notes import TurnNotes
from shopcrew.graphs.complaints import complaints_in
from shopcrew.graphs.cs._messages import (
    after_call,
    asks,
    confirmation_message,
    customer_safe,
    error_message,
    is_confirmation,
    own_message,
    proposal_message,
    refusal_message,
    steps_this_turn,
    succeeded,
    transferred,
)
from shopcrew.graphs.cs.state import CsState, awaits_person
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.memory.namespaces import customer_namespace
from shopcrew.tools.protocols.retail import OrderAdapter
from shopcrew.tools.records.escalations import EscalationTicket
from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS, TRANSFER_TOOL
from shopcrew.tracing import tool_span

__all__ = ["CsNodes"]

logger = logging.getLogger(__name__)


_NOTES_SHOWN: Final = 10
_GAVE_UP: Final = {
    "en": "Sorry, I could not finish this request. Could you rephrase it, or shall I transfer "
    "you to a person?",
    "zh": "抱歉，这个请求我没能处理完。您可以换个说法，或者需要我为您转人工吗？",
}


def _thread_id(config: RunnableConfig) -> str:
    return str(config.get("configurable", {}).get("thread_id") or "no-thread")


class CsNodes:
    """The node and routing functions, bound to one agent's model, tools and guard."""

    def __init__(
        self,
        *,
        model: BaseChatModel,
        tools: Sequence[BaseTool],
        guard: CsGuard,
        settings: CsSettings,
        merchant_id: str,
        orders: OrderAdapter,
        blackboard: Blackboard | None,
    ) -> None:
        # Some OpenAI-compatible servers (llama-cpp-python's among them) ignore tools unless asked.
        self.bound = model.bind_tools(list(tools), tool_choice="auto")
        self.tools = {tool.name: tool for tool in tools}
        self.guard, self.settings, self.merchant_id = guard, settings, merchant_id
        self.orders, self.blackboard = orders, blackboard
        self.notes = TurnNotes(merchant_id=merchant_id, shown=_NOTES_SHOWN)

    def agent(self, state: CsState, *, config: RunnableConfig, store: BaseStore) -> dict[str, Any]:
        """Ask the model for the next assistant message."""
        messages = state["messages"]
        if steps_this_turn(messages) >= self.settings.max_steps_per_turn:
            latest = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
            lang = detect_language(latest.text if latest is not None else "")
            logger.warning("thread %s: step cap reached, giving up the turn", _thread_id(config))
            return {"messages": [AIMessage(content=_GAVE_UP[lang])]}
        customer = read_conversation(messages).customer_id
        prompt = cs_system_prompt(
            merchant_id=self.merchant_id,
            settings=self.settings,
            notes=self._notes(store, customer, messages, config),
            currency=self.guard.currency,
        )
        response = self.bound.invoke([SystemMessage(content=prompt), *messages], config)
        return {"messages": [customer_safe(own_message(response, messages), messages)]}

    def _notes(
        self,
        store: BaseStore | None,
        customer: str | None,
        messages: Sequence[BaseMessage],
        config: RunnableConfig,
    ) -> list[str]:
        if store is None or customer is None:
            return []
        latest = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
        turn = (latest.id or str(len(messages))) if latest is not None else ""
        return self.notes.read(store, thread_id=_thread_id(config), turn=turn, customer=customer)

    def tools_node(
        self, state: CsState, *, config: RunnableConfig, store: BaseStore
    ) -> dict[str, Any]:
        """Run the last assistant message's tool calls, in order, each through the guard.

        A checked `propose_action` ends the turn: the calls after it do not run, and its
        confirmation, rendered from the proposal, is the turn's last message, right after the
        proposal's tool message (the guard reads a yes only in the customer message after it).
        """
        messages = state["messages"]
        last = messages[-1]
        calls = last.tool_calls if isinstance(last, AIMessage) else []
        # Identification made by this very message does not count for its other calls.
        conversation = read_conversation(messages[:-1])
        done: list[ToolMessage] = []
        skipped: list[ToolMessage] = []
        ticket: EscalationTicket | None = None
        proposed: tuple[ToolMessage, Proposal] | None = None
        for call in calls:
            if ticket is not None or proposed is not None:
                why = "the conversation went to a person" if ticket else "a proposal awaits"
                skipped.append(error_message(call, f"not run: {why}."))
                continue
            proposing = as_proposal_call(call)
            if proposing is not None:
                with tool_span(config, call["name"]) as span:
                    outcome = self._propose(proposing, last, conversation)
                    _mark_refused(span, outcome)
                if isinstance(outcome, Refusal):
                    done.append(refusal_message(call, outcome))
                else:
                    proposed = (proposal_message(call, outcome), outcome)
                continue
            with tool_span(config, call["name"]) as span:
                message = self._run_one(call, conversation, config)
                _mark_refused(span, message)
            done.append(message)
            conversation = after_call(conversation, call["name"])
            if call["name"] == TRANSFER_TOOL and succeeded(message):
                customer = read_conversation([*messages, *done]).customer_id
                ticket = open_ticket(
                    summary=str(call["args"].get("summary", "")),
                    merchant_id=self.merchant_id,
                    customer_id=customer,
                    thread_id=_thread_id(config),
                )
                logger.info("thread %s escalated: ticket %s", ticket.thread_id, ticket.id)
        results: list[BaseMessage] = [*done, *skipped]
        if proposed is not None:
            results += [proposed[0], confirmation_message(proposed[1], messages)]
        answered = {m.tool_call_id: m for m in results if isinstance(m, ToolMessage)}
        in_order = [answered[call["id"] or ""] for call in calls]
        self._remember(store, [*messages, *results], calls, in_order, ticket, config)
        update: dict[str, Any] = {"messages": results}
        if ticket is not None:
            update["escalation"] = ticket.model_dump(mode="json")
        return update

    def _propose(
        self, call: ToolCall, asked: BaseMessage, conversation: Conversation
    ) -> Proposal | Refusal:
        if asks(asked):
            # A question beside the proposal could be what the customer's yes answers.
            return question_beside_proposal(conversation.lang)
        return self.guard.propose(call, conversation)

    def _run_one(
        self, call: ToolCall, conversation: Conversation, config: RunnableConfig
    ) -> ToolMessage:
        tool = self.tools.get(call["name"])
        if tool is None:
            names = ", ".join(sorted(self.tools))
            return error_message(call, f"unknown tool {call['name']!r}; the tools are: {names}.")
        refusal = self.guard.check(call, conversation)
        if refusal is not None:
            return refusal_message(call, refusal)
        result = tool.invoke({**call, "type": "tool_call"}, config)
        if isinstance(result, ToolMessage):
            return result
        return ToolMessage(content=str(result), tool_call_id=call["id"] or "", name=call["name"])

    def _remember(
        self,
        store: BaseStore | None,
        messages: Sequence[BaseMessage],
        calls: Sequence[ToolCall],
        results: Sequence[ToolMessage],
        ticket: EscalationTicket | None,
        config: RunnableConfig,
    ) -> None:
        """Note changes made and escalations in the customer's long-term notes."""
        customer = read_conversation(messages).customer_id
        if store is None or customer is None:
            return
        namespace = customer_namespace(self.merchant_id, customer)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        thread = _thread_id(config)
        for call, result in zip(calls, results, strict=False):
            if call["name"] not in RETAIL_WRITE_TOOLS or not succeeded(result):
                continue
            target = call["args"].get("order_id") or "the default address"
            text = f"{now}: {call['name']} on {target}"
            # Keyed by thread and call id: a retried step overwrites its own note.
            store.put(namespace, f"{thread}:{call['id']}", {"text": text, "tool": call["name"]})
            self.notes.forget(thread)
        if ticket is not None:
            text = f"{now}: transferred to a person ({ticket.reason}): {ticket.summary}"
            store.put(namespace, f"{thread}:{ticket.id}", {"text": text, "ticket": ticket.id})
            self.notes.forget(thread)

    def note_complaints(self, state: CsState, *, store: BaseStore) -> dict[str, Any]:
        """Post the turn's product complaints on the blackboard, once per customer message."""
        handled = state.get("complaints") or []
        found, heard = complaints_in(state["messages"], orders=self.orders, handled=handled)
        if not heard:
            return {}
        board = self.blackboard or InMemoryBlackboard(store=store, merchant_id=self.merchant_id)
        for complaint in found:
            board.post(complaint)
            logger.info(
                "complaint about %s (order %s) posted", complaint.item_id, complaint.order_id
            )
        return {"complaints": [*handled, *heard]}

    def at_start(self, state: CsState) -> Literal["agent", "escalate"]:
        """Back to waiting when the ticket still waits for a person, else ask the model."""
        if self.settings.interrupt_on_escalation and awaits_person(state):
            return "escalate"
        return "agent"

    def after_agent(self, state: CsState) -> Literal["tools", "note_complaints"]:
        """Run the tools the model called, or end the turn on a plain reply."""
        last = state["messages"][-1]
        return "tools" if isinstance(last, AIMessage) and last.tool_calls else "note_complaints"

    def after_tools(self, state: CsState) -> Literal["agent", "note_complaints"]:
        """Back to the model, or end the turn after a transfer or a proposal shown."""
        messages = state["messages"]
        if transferred(messages) or is_confirmation(messages[-1]):
            return "note_complaints"
        return "agent"

    def after_note(self, state: CsState) -> Literal["escalate", "__end__"]:
        """To a person after a transfer (when the policy pauses for one), else the turn ends."""
        if transferred(state["messages"]) and self.settings.interrupt_on_escalation:
            return "escalate"
        return "__end__"


def _mark_refused(span: Span | None, outcome: Proposal | Refusal | ToolMessage) -> None:
    """Mark a tool call's span when the guard refused the call (it never ran)."""
    if span is None:
        return
    artifact = outcome.artifact if isinstance(outcome, ToolMessage) else None
    code = outcome.code if isinstance(outcome, Refusal) else None
    if isinstance(artifact, dict) and "refusal" in artifact:
        code = str(artifact["refusal"])
    if code is not None:
        span.set_attribute("shopcrew.guard.refused", code)
