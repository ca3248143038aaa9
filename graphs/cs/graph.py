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

from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from langgraph.types import Interrupt, interrupt

from shopcrew.agents.cs.agent import build_cs_tools
from shopcrew.agents.cs.guard import (
    CsGuard,
)
from shopcrew.agents.policy import CsSettings, Policy
from shopcrew.graphs.cs._nodes import CsNodes
from shopcrew.graphs.cs.state import CsState, EscalationStatusUpdate
from shopcrew.memory.blackboard.base import Blackboard
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.idempotency.base import IdempotencyStore
from shopcrew.tools.records.escalations import EscalationIndex, EscalationTicket

__all__ = ["build_cs_agent", "cs_agent_builder", "escalate"]


def _resolution(decision: object) -> tuple[str, EscalationStatusUpdate]:
    """The person's reply and the ticket's new status from a `Command(resume=...)` value."""
    if isinstance(decision, Mapping):
        reply = str(decision.get("reply") or decision.get("message") or "")
        status = decision.get("status", "resolved")
        return reply, "in_progress" if status == "in_progress" else "resolved"
    return ("" if decision is None else str(decision)), "resolved"


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
    nodes = CsNodes(
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
