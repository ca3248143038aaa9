"""The customer-service agent's graph: model, guarded tools, escalation to a person.

```
START ─► agent ──(tool calls)──► tools ──► agent ... ──(a reply)──► note_complaints ─► END
  │                                └──(transfer)──► note_complaints ─► escalate (interrupt) ─► END
  └──(the ticket still waits for a person)─────────────────────────────► escalate (interrupt) ─► END
```

`agent` calls the model with the system prompt and the conversation; `tools` runs each tool
call through the policy guard (`shopcrew.agents.cs.guard`) and then the tool, as LangGraph's
`ToolNode` would; `escalate` pauses on an `EscalationTicket` until a person resumes the thread
with `Command(resume=...)`. A customer message sent to a thread that waits there joins the
conversation without running the model: the thread goes straight back to `escalate`, which
waits again on the same ticket (in a new interrupt), so the person sees every message and
still answers with one resume. Conversation state lives in the checkpointer; changes made and
escalations are noted in the store under `("customers", merchant_id, user_id)`, and those
notes are shown to the model in later conversations with the same customer. At the end of
each turn `note_complaints` posts the customer's product complaints (an item of their order
broken, defective, not as described) on the blackboard, for the store manager's next audit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, NotRequired, TypedDict
from uuid import uuid4

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
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
from langgraph.types import Interrupt, interrupt

from shopcrew.agents.cs.agent import build_cs_tools, cs_system_prompt, open_ticket
from shopcrew.agents.cs.confirmation_text import again
from shopcrew.agents.cs.guard import (
    BLOCKED_PREFIX,
    Conversation,
    CsGuard,
    Refusal,
    question_beside_proposal,
    read_conversation,
)
from shopcrew.agents.cs.proposals import (
    PROPOSAL_ID_KEY,
    PROPOSE_TOOL,
    Proposal,
    as_proposal_call,
)
from shopcrew.agents.cs.rules.nlu import detect_language
from shopcrew.agents.policy import CsSettings, Policy
from shopcrew.graphs.complaints import complaints_in
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.memory.namespaces import customer_namespace
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.idempotency.base import IdempotencyStore
from shopcrew.tools.langchain.identify import CUSTOMER_IDENTIFY_TOOLS
from shopcrew.tools.protocols.retail import OrderAdapter
from shopcrew.tools.records.escalations import EscalationIndex, EscalationTicket
from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS, TRANSFER_TOOL

__all__ = [
    "CsNode",
    "CsState",
    "awaits_person",
    "build_cs_agent",
    "cs_agent_builder",
    "escalate",
    "turn_reply",
]

logger = logging.getLogger(__name__)

CsNode = Literal["agent", "tools", "note_complaints", "escalate"]
"""The graph's node names."""

EscalationStatusUpdate = Literal["in_progress", "resolved"]
"""The ticket statuses a person's resume value can set."""

_NOTES_SHOWN: Final = 10
_GAVE_UP: Final = {
    "en": "Sorry, I could not finish this request. Could you rephrase it, or shall I transfer "
    "you to a person?",
    "zh": "抱歉，这个请求我没能处理完。您可以换个说法，或者需要我为您转人工吗？",
}


class CsState(TypedDict):
    """The CS graph's state."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation: customer, assistant and tool messages."""
    escalation: NotRequired[dict[str, Any] | None]
    """The latest escalation ticket (`EscalationTicket` as JSON), if any."""
    complaints: NotRequired[list[str]]
    """Ids of the customer messages whose complaints are on the blackboard."""


def _succeeded(message: ToolMessage) -> bool:
    content = message.content if isinstance(message.content, str) else ""
    return message.status != "error" and not content.startswith("Error:")


def _steps_this_turn(messages: Sequence[BaseMessage]) -> int:
    steps = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        steps += isinstance(message, AIMessage)
    return steps


def _thread_id(config: RunnableConfig) -> str:
    return str(config.get("configurable", {}).get("thread_id") or "no-thread")


def _resolution(decision: object) -> tuple[str, EscalationStatusUpdate]:
    """The person's reply and the ticket's new status from a `Command(resume=...)` value."""
    if isinstance(decision, Mapping):
        reply = str(decision.get("reply") or decision.get("message") or "")
        status = decision.get("status", "resolved")
        return reply, "in_progress" if status == "in_progress" else "resolved"
    return ("" if decision is None else str(decision)), "resolved"


class _CsNodes:
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

    def agent(self, state: CsState, *, config: RunnableConfig, store: BaseStore) -> dict[str, Any]:
        """Ask the model for the next assistant message."""
        messages = state["messages"]
        if _steps_this_turn(messages) >= self.settings.max_steps_per_turn:
            latest = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
            lang = detect_language(latest.text if latest is not None else "")
            logger.warning("thread %s: step cap reached, giving up the turn", _thread_id(config))
            return {"messages": [AIMessage(content=_GAVE_UP[lang])]}
        customer = read_conversation(messages).customer_id
        prompt = cs_system_prompt(
            merchant_id=self.merchant_id,
            settings=self.settings,
            notes=self._notes(store, customer),
            currency=self.guard.currency,
        )
        response = self.bound.invoke([SystemMessage(content=prompt), *messages], config)
        return {"messages": [_customer_safe(_own_message(response, messages), messages)]}

    def _notes(self, store: BaseStore | None, customer: str | None) -> list[str]:
        if store is None or customer is None:
            return []
        items = store.search(customer_namespace(self.merchant_id, customer), limit=_NOTES_SHOWN)
        return [str(item.value.get("text", "")) for item in items if item.value.get("text")]

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
                skipped.append(_error(call, f"not run: {why}."))
                continue
            proposing = as_proposal_call(call)
            if proposing is not None:
                outcome = self._propose(proposing, last, conversation)
                if isinstance(outcome, Refusal):
                    done.append(_refused(call, outcome))
                else:
                    proposed = (_proposed(call, outcome), outcome)
                continue
            message = self._run_one(call, conversation, config)
            done.append(message)
            conversation = _after_call(conversation, call["name"])
            if call["name"] == TRANSFER_TOOL and _succeeded(message):
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
            results += [proposed[0], _confirmation(proposed[1], messages)]
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
        if _asks(asked):
            # A question beside the proposal could be what the customer's yes answers.
            return question_beside_proposal(conversation.lang)
        return self.guard.propose(call, conversation)

    def _run_one(
        self, call: ToolCall, conversation: Conversation, config: RunnableConfig
    ) -> ToolMessage:
        tool = self.tools.get(call["name"])
        if tool is None:
            names = ", ".join(sorted(self.tools))
            return _error(call, f"unknown tool {call['name']!r}; the tools are: {names}.")
        refusal = self.guard.check(call, conversation)
        if refusal is not None:
            return _refused(call, refusal)
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
            if call["name"] not in RETAIL_WRITE_TOOLS or not _succeeded(result):
                continue
            target = call["args"].get("order_id") or "the default address"
            text = f"{now}: {call['name']} on {target}"
            # Keyed by thread and call id: a retried step overwrites its own note.
            store.put(namespace, f"{thread}:{call['id']}", {"text": text, "tool": call["name"]})
        if ticket is not None:
            text = f"{now}: transferred to a person ({ticket.reason}): {ticket.summary}"
            store.put(namespace, f"{thread}:{ticket.id}", {"text": text, "ticket": ticket.id})

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
        if _transferred(messages) or _is_confirmation(messages[-1]):
            return "note_complaints"
        return "agent"

    def after_note(self, state: CsState) -> Literal["escalate", "__end__"]:
        """To a person after a transfer (when the policy pauses for one), else the turn ends."""
        if _transferred(state["messages"]) and self.settings.interrupt_on_escalation:
            return "escalate"
        return "__end__"


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


def awaits_person(state: Mapping[str, Any]) -> bool:
    """Whether the conversation was handed to a person who has not replied yet (ticket open)."""
    ticket = state.get("escalation")
    return isinstance(ticket, Mapping) and ticket.get("status") == "open"


def escalate(
    state: Mapping[str, Any], config: RunnableConfig, *, store: BaseStore
) -> dict[str, Any]:
    """Pause on the open ticket until a person resumes with `Command(resume=...)`.

    Before it waits, the ticket and its interrupt are noted in the `EscalationIndex` of the
    graph's store, whichever process runs the graph, so the service lists every escalation.
    The resume value is the person's reply to the customer (a string), or a mapping with
    `reply` and optionally `status` (`"resolved"`, the default, or `"in_progress"`). Until
    then, each new customer message comes back here (see `awaits_person`) and waits again
    on the same ticket: the message joins the conversation, the model does not run.
    """
    ticket = EscalationTicket.model_validate(state.get("escalation"))
    payload = ticket.model_dump(mode="json")
    if store is not None:  # a graph compiled without a store keeps no index
        namespace = str(config.get("configurable", {}).get("checkpoint_ns", ""))
        index = EscalationIndex(store, merchant_id=ticket.merchant_id)
        index.note(ticket, interrupt_id=Interrupt.from_ns(payload, namespace).id)
    decision = interrupt(payload)
    reply, status = _resolution(decision)
    update: dict[str, Any] = {"escalation": ticket.with_status(status).model_dump(mode="json")}
    if reply:
        update["messages"] = [AIMessage(content=reply, name="human_agent")]
    return update


def _transferred(messages: Sequence[BaseMessage]) -> bool:
    """The latest tool results include a successful transfer to a person."""
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            return False
        if message.name == TRANSFER_TOOL and _succeeded(message):
            return True
    return False


def _refused(call: ToolCall, refusal: Refusal) -> ToolMessage:
    return ToolMessage(
        content=refusal.content,
        tool_call_id=call["id"] or "",
        name=call["name"],
        status="error",
        artifact={"refusal": refusal.code, "customer_text": refusal.customer_text},
    )


def _proposed(call: ToolCall, proposal: Proposal) -> ToolMessage:
    return ToolMessage(
        content=(
            f"Proposal shown to the customer: {proposal.text} Call {proposal.name} with exactly "
            "these arguments only after their explicit yes."
        ),
        tool_call_id=call["id"] or "",
        name=PROPOSE_TOOL,
        artifact=proposal.to_artifact(),
    )


def _confirmation(proposal: Proposal, messages: Sequence[BaseMessage]) -> AIMessage:
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


def _asks(message: BaseMessage) -> bool:
    """Whether the model's own text beside a proposal asks something or mimics a confirmation.

    The customer's yes must answer the rendered confirmation alone, not a question or another
    "please confirm" that the model wrote just before it.
    """
    if not isinstance(message, AIMessage):
        return False
    text = message.text
    return any(ch in text for ch in _QUESTION_MARKS) or bool(_CONFIRMATION_CUES.search(text))


def _after_call(conversation: Conversation, name: str) -> Conversation:
    """The conversation as the message's later calls see it, after a call ran (or was refused)."""
    if name in RETAIL_WRITE_TOOLS:
        # One yes, one write attempt: whatever its outcome, the yes is used up.
        return replace(conversation, attempted_write=True)
    if name in CUSTOMER_IDENTIFY_TOOLS:
        # One identification per message: a later one cannot replace the first.
        return replace(conversation, identify_attempted=True)
    return conversation


def _own_message(response: BaseMessage, messages: Sequence[BaseMessage]) -> AIMessage:
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


def _customer_safe(response: BaseMessage, messages: Sequence[BaseMessage]) -> BaseMessage:
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


def _is_confirmation(message: BaseMessage) -> bool:
    return isinstance(message, AIMessage) and PROPOSAL_ID_KEY in message.response_metadata


def _error(call: ToolCall, reason: str) -> ToolMessage:
    return ToolMessage(
        content=f"Error: {reason}",
        tool_call_id=call["id"] or "",
        name=call["name"],
        status="error",
    )


def cs_agent_builder(
    *,
    model: BaseChatModel,
    adapters: Adapters | None = None,
    merchant_id: str = "default",
    policy: Policy | CsSettings | None = None,
    idempotency: IdempotencyStore | None = None,
    blackboard: Blackboard | None = None,
) -> StateGraph[CsState]:
    """The CS agent's uncompiled graph; compile it with the checkpointer and store you choose.

    Args:
        model: A chat model that supports `bind_tools`.
        adapters: The merchant's adapters; the reference store when omitted.
        merchant_id: The merchant (ticket and long-term notes namespace).
        policy: The merchant policy (its `customer_service` settings and `currency` apply), or
            the CS settings alone; defaults when omitted.
        idempotency: Where retail write results are recorded (in memory when omitted); share
            a Redis one between processes that resume the same threads.
        blackboard: Where product complaints are posted; default: over the graph's store.
    """
    adapters = adapters or Adapters.reference(merchant_id=merchant_id)
    merchant = policy if isinstance(policy, Policy) else Policy()
    settings = policy if isinstance(policy, CsSettings) else merchant.customer_service
    nodes = _CsNodes(
        model=model,
        tools=build_cs_tools(adapters, idempotency=idempotency),
        guard=CsGuard(
            orders=adapters.orders,
            customers=adapters.customers,
            catalog=adapters.catalog,
            require_confirmation=settings.require_confirmation,
            currency=merchant.currency,
        ),
        settings=settings,
        merchant_id=merchant_id,
        orders=adapters.orders,
        blackboard=blackboard,
    )
    builder = StateGraph(CsState)
    builder.add_node("agent", nodes.agent)
    builder.add_node("tools", nodes.tools_node)
    builder.add_node("note_complaints", nodes.note_complaints)
    builder.add_node("escalate", escalate)
    builder.add_conditional_edges(START, nodes.at_start, ["agent", "escalate"])
    builder.add_conditional_edges("agent", nodes.after_agent, ["tools", "note_complaints"])
    builder.add_conditional_edges("tools", nodes.after_tools, ["agent", "note_complaints"])
    builder.add_conditional_edges("note_complaints", nodes.after_note, ["escalate", END])
    builder.add_edge("escalate", END)
    return builder


def build_cs_agent(
    *,
    model: BaseChatModel,
    adapters: Adapters | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    merchant_id: str = "default",
    policy: Policy | CsSettings | None = None,
    idempotency: IdempotencyStore | None = None,
    blackboard: Blackboard | None = None,
) -> CompiledStateGraph[CsState]:
    """The customer-service agent, compiled: invoke, stream and resume it per thread.

    Each `invoke({"messages": [HumanMessage(...)]}, {"configurable": {"thread_id": ...}})`
    answers one customer message. A transfer to a person pauses the thread on an
    `interrupt` carrying the `EscalationTicket` (unless the settings' `interrupt_on_escalation`
    is off); resume it with `Command(resume="the person's reply")`, from any process sharing
    the checkpointer.

    Args:
        model: A chat model that supports `bind_tools`.
        adapters: The merchant's adapters; the reference store when omitted.
        checkpointer: Where conversations are kept; in memory when omitted.
        store: Long-term customer notes; in memory when omitted.
        merchant_id: The merchant.
        policy: The merchant policy, or the CS settings alone (`CsSettings`).
        idempotency: Where retail write results are recorded.
        blackboard: Where product complaints are posted; default: over the store.
    """
    builder = cs_agent_builder(
        model=model,
        adapters=adapters,
        merchant_id=merchant_id,
        policy=policy,
        idempotency=idempotency,
        blackboard=blackboard,
    )
    return builder.compile(
        checkpointer=checkpointer or InMemorySaver(), store=store or InMemoryStore()
    )
