"""The crew: one graph that validates an event and routes it to one agent's subgraph.

```
event ─► accept_event ─► route_to_agent ─► cs_agent ──(handed to a person)──► escalate ─► END
                              │             store_manager | planner | demand_planner
                              │             (each may wait in the approval gate)
                              └──(customer message, a person not answered yet)──► escalate
```
A conversation handed to a person waits in the crew's own `escalate` node (an `interrupt`
on the ticket), so the crew's state holds the whole conversation while it waits. A further
customer message joins the conversation and waits again on the same ticket: the CS agent
does not answer it, and the person still resumes the thread with one `Command(resume=...)`.
Agents talk only through the blackboard and the store. `send_event` is the one entry point a
service needs: it validates the event, picks the thread (one per conversation, one per
agent run), and turns a `HumanDecision` into a checked resume of the thread that waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Annotated, Any, Literal, NotRequired

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from langgraph.types import Durability
from opentelemetry.trace import Span
from pydantic import BaseModel

from shopcrew.agents.approvals.queue import ApprovalQueue, Clock, utc_now
from shopcrew.agents.policy import Policy
from shopcrew.errors import AgentUnavailableError, ConfigError
from shopcrew.graphs.approval_gate import ApprovalState, adecide, decide
from shopcrew.graphs.crew_shopping import GUIDE, add_shopping_guide
from shopcrew.graphs.cs import awaits_person, cs_agent_builder, escalate
from shopcrew.graphs.demand import demand_planner_builder
from shopcrew.graphs.events import (
    AgentName,
    CrewEvent,
    CustomerMessage,
    HumanDecision,
    parse_event,
    route_event,
    thread_for,
)
from shopcrew.graphs.planner import planner_builder
from shopcrew.graphs.store_manager import store_manager_builder
from shopcrew.memory.blackboard.base import Blackboard
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.idempotency.base import IdempotencyStore
from shopcrew.tracing import event_span, traced

__all__ = [
    "Checkpoints",
    "CrewNode",
    "CrewState",
    "asend_event",
    "build_crew",
    "crew_builder",
    "send_event",
]

logger = logging.getLogger(__name__)


class CrewState(ApprovalState, total=False):
    """The crew's state: the event, the agent it went to, and what the agents share."""

    event: dict[str, Any]
    """The validated event, as JSON."""
    agent: AgentName
    """The agent the router chose."""
    report: dict[str, Any]
    """What the store manager or the planner did."""
    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation (CS agent threads)."""
    escalation: NotRequired[dict[str, Any] | None]
    complaints: NotRequired[list[str]]
    """Customer messages whose product complaints the CS agent posted (CS threads)."""
    replayed: NotRequired[bool]
    """The event's customer message is already in the conversation: nothing runs again."""
    proposal: NotRequired[dict[str, Any] | None]
    """The shopping guide's latest recommendation (crews built with `shopping_guide=True`)."""


def accept_event(state: CrewState) -> dict[str, Any]:
    """Validate the event and choose its agent; a customer message joins the conversation."""
    event = parse_event(state["event"])
    update: dict[str, Any] = {"event": event.model_dump(mode="json"), "agent": route_event(event)}
    replayed = False
    if isinstance(event, CustomerMessage):
        # A message id the conversation already holds is a replay: appended again, LangGraph
        # would replace the earlier message in place and move it after later replies.
        replayed = any(message.id == event.id for message in state.get("messages", []))
        if not replayed:
            update["messages"] = [HumanMessage(event.text, id=event.id)]
    update["replayed"] = replayed
    logger.info(
        "event %s (%s) -> %s%s", event.id, event.kind, update["agent"], replayed * " (replay)"
    )
    return update


Checkpoints = Literal["every_step", "accepted_and_done", "done"]
"""When a run of `send_event` saves the thread.

`"every_step"`: after each step, nested graphs' steps included (LangGraph's default).
`"accepted_and_done"`: twice per event, each run saving once as it stops (LangGraph's
`durability="exit"`): once the event is accepted (a customer message in the conversation,
the agent chosen), and once its agent is done or waits (an approval, a person). A subgraph
saves its own steps only when it waits. A crash in between runs the agent again from its
first step: what a worker, whose writes are idempotent, needs, in 2 saves instead of 4-7.
`"done"`: once, when the event is done or waits; a crash before runs the whole event again
(for events with a thread of their own, whose acceptance records nothing worth keeping).
"""

CrewNode = Literal[AgentName, "escalate", "__end__"]
"""Where `accept_event` leads: an agent, back to waiting for a person, or nowhere (a replay)."""


def route_to_agent(state: CrewState) -> CrewNode:
    """The deterministic router: the agent `accept_event` chose from the event's kind.

    A customer message on a conversation that waits for a person goes back to waiting.
    """
    if state.get("replayed"):
        return "__end__"
    if state["agent"] == "cs_agent" and awaits_person(state):
        return "escalate"
    return state["agent"]


def after_cs_agent(state: CrewState) -> Literal["escalate", "__end__"]:
    """Wait for a person when the CS agent handed the conversation over, else the turn ends."""
    return "escalate" if awaits_person(state) else "__end__"


def _without_interrupts(policy: Policy) -> Policy:
    settings = replace(policy.customer_service, interrupt_on_escalation=False)
    return policy.model_copy(update={"customer_service": settings})


def cs_unavailable(state: CrewState) -> dict[str, Any]:
    """Stands in for the CS agent in a crew built without one."""
    raise AgentUnavailableError("cs_agent", why="the crew was built with cs_agent=False")


def demand_unavailable(state: CrewState) -> dict[str, Any]:
    """Stands in for the demand planner in a crew built without demand data."""
    raise AgentUnavailableError("demand_planner", why="the crew was built without demand data")


def _demand_node(
    adapters: Adapters,
    policy: Policy,
    merchant_id: str,
    blackboard: Blackboard | None,
    clock: Clock,
) -> Any:
    """The demand planner's compiled subgraph, or its stand-in without demand data."""
    if adapters.demand is None:
        return demand_unavailable
    return demand_planner_builder(
        adapters=adapters,
        policy=policy,
        merchant_id=merchant_id,
        blackboard=blackboard,
        clock=clock,
    ).compile()


def crew_builder(
    *,
    model: BaseChatModel,
    adapters: Adapters | None = None,
    merchant_id: str = "default",
    policy: Policy | None = None,
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
    cs_agent: bool = True,
    idempotency: IdempotencyStore | None = None,
    shopping_guide: bool = False,
) -> StateGraph[CrewState, Any, CrewState, CrewState]:
    """The crew's graph, uncompiled; compile it with the checkpointer and store you choose.

    Args:
        model: The chat model of the CS agent (the other agents need none).
        adapters: The merchant's adapters; the reference store when omitted.
        merchant_id: The merchant.
        policy: The merchant policy (thresholds, approval expiry, the CS agent's settings).
        blackboard: Where the agents leave each other entries; default: over the store.
        clock: The current time (approval expiry, audit windows).
        cs_agent: Include the CS agent; without it customer messages raise
            `AgentUnavailableError`.
        idempotency: Where the CS agent's tools record write results by tool call (in memory
            when omitted; a `RedisIdempotencyStore` with a TTL shares and bounds it).
        shopping_guide: Add the shopping guide; pre-sale customer messages go to it
            (`shopcrew.graphs.crew_shopping`).
    """
    adapters = adapters or Adapters.reference(merchant_id=merchant_id)
    policy = policy or Policy()
    builder = StateGraph(CrewState)
    builder.add_node("accept_event", accept_event)
    _add_cs_agent(builder, cs_agent, model, adapters, merchant_id, policy, blackboard, idempotency)
    builder.add_node("escalate", escalate)
    _add_back_office(builder, adapters, policy, merchant_id, blackboard, clock)
    builder.add_edge(START, "accept_event")
    router: Callable[[Any], str] = route_to_agent
    destinations = ["cs_agent", "escalate", "store_manager", "planner", "demand_planner", END]
    # --- issue 20 hook: the shopping guide beside customer service (graphs/crew_shopping.py) ---
    if shopping_guide:
        router = add_shopping_guide(
            builder,
            route=route_to_agent,
            model=model,
            adapters=adapters,
            merchant_id=merchant_id,
            policy=policy,
        )
        destinations.append(GUIDE)
        builder.add_edge(GUIDE, END)
    # --- end of the hook ---
    builder.add_conditional_edges("accept_event", router, destinations)
    builder.add_conditional_edges("cs_agent", after_cs_agent, ["escalate", END])
    builder.add_edge("escalate", END)
    return builder


def _add_cs_agent(
    builder: StateGraph[CrewState, Any, CrewState, CrewState],
    enabled: bool,
    model: BaseChatModel,
    adapters: Adapters,
    merchant_id: str,
    policy: Policy,
    blackboard: Blackboard | None,
    idempotency: IdempotencyStore | None,
) -> None:
    """Add the crew's `cs_agent` node: the CS subgraph, or one that refuses customer messages."""
    if not enabled:
        builder.add_node("cs_agent", cs_unavailable)
        return
    cs = cs_agent_builder(
        model=model,
        adapters=adapters,
        merchant_id=merchant_id,
        # The crew waits for the person itself (its `escalate` node), out of the subgraph.
        policy=_without_interrupts(policy),
        blackboard=blackboard,
        idempotency=idempotency,
    )
    # No checkpoints inside the CS turn: the crew saves before it (the message accepted)
    # and after it (the whole turn), so a crash in between runs the turn again from the
    # model call; writes are idempotent (the tool layer's records, a worker's ledger).
    builder.add_node("cs_agent", cs.compile(checkpointer=False))


def _add_back_office(
    builder: StateGraph[CrewState, Any, CrewState, CrewState],
    adapters: Adapters,
    policy: Policy,
    merchant_id: str,
    blackboard: Blackboard | None,
    clock: Clock,
) -> None:
    """Add the store manager, the marketing planner and the demand planner, each compiled."""
    store_manager = store_manager_builder(
        adapters=adapters,
        policy=policy,
        merchant_id=merchant_id,
        blackboard=blackboard,
        clock=clock,
    )
    planner = planner_builder(
        adapters=adapters,
        policy=policy,
        merchant_id=merchant_id,
        blackboard=blackboard,
        clock=clock,
    )
    builder.add_node("store_manager", store_manager.compile())
    builder.add_node("planner", planner.compile())
    builder.add_node(
        "demand_planner", _demand_node(adapters, policy, merchant_id, blackboard, clock)
    )


def build_crew(
    *,
    model: BaseChatModel,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    adapters: Adapters | None = None,
    merchant_id: str = "default",
    policy: Policy | None = None,
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
    idempotency: IdempotencyStore | None = None,
    shopping_guide: bool = False,
) -> CompiledStateGraph[CrewState, Any, CrewState, CrewState]:
    """The crew, compiled: in-memory checkpointer and store unless given.

    Send events with `send_event(crew, event)` (or invoke `{"event": ...}` on the event's
    thread yourself); answer approvals with `send_event(crew, HumanDecision(...))`.

    Args:
        model: The chat model of the CS agent (`resolve_model("rules")` offline).
        checkpointer: Per-thread checkpoints (share a `RedisSaver` between processes).
        store: Long-term store: blackboard, approval queue, reports (share a `RedisStore`).
        adapters: The merchant's adapters; the reference store when omitted.
        merchant_id: The merchant.
        policy: The merchant policy.
        blackboard: Where the agents leave each other entries (e.g. a `RedisBlackboard`);
            default: over the store.
        clock: The current time.
        idempotency: Where the CS agent's tools record write results by tool call.
        shopping_guide: Add the shopping guide for pre-sale customer messages.
    """
    builder = crew_builder(
        model=model,
        adapters=adapters,
        merchant_id=merchant_id,
        policy=policy,
        blackboard=blackboard,
        clock=clock,
        idempotency=idempotency,
        shopping_guide=shopping_guide,
    )
    return builder.compile(
        checkpointer=checkpointer or InMemorySaver(), store=store or InMemoryStore()
    )


def send_event(
    crew: CompiledStateGraph[Any, Any, Any, Any],
    event: BaseModel | Mapping[str, Any],
    *,
    merchant_id: str = "default",
    thread_id: str | None = None,
    clock: Clock = utc_now,
    trace_parent: Mapping[str, str] | None = None,
    checkpoints: Checkpoints = "every_step",
) -> dict[str, Any]:
    """Validate an event and run it on its thread; a decision resumes its waiting thread.

    The run is traced in an `event <kind>` span (a no-op unless tracing is configured), a child
    of `trace_parent` when given (the carrier `EventQueue.enqueue` stored beside the event).
    `checkpoints` says when the run saves the thread (see `Checkpoints`; a decision's resume
    always saves every step).

    Returns:
        The graph's output (with `__interrupt__` when an approval now waits).

    Raises:
        InvalidEventError: The event does not validate; nothing ran.
        AgentUnavailableError: The event's agent is not in this crew.
        UnknownApprovalError, StaleApprovalError, ApprovalMismatchError, ApprovalExpiredError:
            A decision that does not answer a waiting request; nothing changed.
    """
    checked = parse_event(event)
    config = _config(checked, merchant_id, thread_id)
    with _span(checked, merchant_id, config, trace_parent):
        if isinstance(checked, HumanDecision):
            return decide(crew, _queue(crew, merchant_id, clock), checked.decision)
        payload, run = {"event": checked.model_dump(mode="json")}, traced(config)
        if checkpoints != "accepted_and_done":
            durability: Durability | None = "exit" if checkpoints == "done" else None
            return dict(crew.invoke(payload, run, durability=durability))
        crew.invoke(payload, run, durability="exit", interrupt_after=["accept_event"])
        return dict(crew.invoke(None, run, durability="exit"))


async def asend_event(
    crew: CompiledStateGraph[Any, Any, Any, Any],
    event: BaseModel | Mapping[str, Any],
    *,
    merchant_id: str = "default",
    thread_id: str | None = None,
    clock: Clock = utc_now,
    trace_parent: Mapping[str, str] | None = None,
    checkpoints: Checkpoints = "every_step",
) -> dict[str, Any]:
    """Async twin of `send_event`: the same validation and threads, run with `ainvoke`."""
    checked = parse_event(event)
    config = _config(checked, merchant_id, thread_id)
    with _span(checked, merchant_id, config, trace_parent):
        if isinstance(checked, HumanDecision):
            return await adecide(crew, _queue(crew, merchant_id, clock), checked.decision)
        payload, run = {"event": checked.model_dump(mode="json")}, traced(config)
        if checkpoints != "accepted_and_done":
            durability: Durability | None = "exit" if checkpoints == "done" else None
            return dict(await crew.ainvoke(payload, run, durability=durability))
        await crew.ainvoke(payload, run, durability="exit", interrupt_after=["accept_event"])
        return dict(await crew.ainvoke(None, run, durability="exit"))


def _queue(
    crew: CompiledStateGraph[Any, Any, Any, Any], merchant_id: str, clock: Clock
) -> ApprovalQueue:
    if crew.store is None:
        raise ConfigError("compile the crew with a store: the approval queue lives in it")
    return ApprovalQueue(crew.store, merchant_id=merchant_id, clock=clock)


def _span(
    event: CrewEvent,
    merchant_id: str,
    config: RunnableConfig,
    parent: Mapping[str, str] | None,
) -> AbstractContextManager[Span]:
    thread = str(config.get("configurable", {}).get("thread_id", ""))
    return event_span(
        event.kind, event.id, merchant_id=merchant_id, thread_id=thread, parent=parent
    )


def _config(event: CrewEvent, merchant_id: str, thread_id: str | None) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id or thread_for(event, merchant_id=merchant_id)}}
