"""The approval gate: nodes that make a risky action wait for a person, and `decide` to answer.

An agent puts `ApprovalRequest`s in its state's `proposals`; `await_approval` indexes the
first one in the `ApprovalQueue` and waits in `interrupt(request)`. The person's `Decision`
comes back through `decide()`, from any process that shares the checkpointer and the store:
it is checked against the queue (bound interrupt id and action hash, expiry, decided once)
before the thread is resumed with `Command(resume={interrupt_id: decision})`. The node checks
it again, so a raw resume that bypasses `decide` cannot release a mismatched action: it is
refused and the request is asked again. `apply_approved` applies an approved action with
the approval id as idempotency key and keeps the result, so a retried resume applies once.
"""

from __future__ import annotations

import asyncio
import logging
import operator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_store
from langgraph.pregel import Pregel
from langgraph.types import Command, Interrupt, StateSnapshot, interrupt
from pydantic import JsonValue, ValidationError

from shopcrew.agents.approvals.actions import apply_action
from shopcrew.agents.approvals.queue import ApprovalQueue, ApprovalRecord, Clock, Decision, utc_now
from shopcrew.errors import ShopcrewError, StaleApprovalError
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.memory.blackboard.entries import ApprovalNote
from shopcrew.tools.protocols.merchant import AdsAdapter, ListingAdapter
from shopcrew.tools.records.approvals import ApprovalRequest
from shopcrew.tracing import approval_span, traced

__all__ = [
    "ApprovalGate",
    "ApprovalOutcome",
    "ApprovalState",
    "GateNode",
    "adecide",
    "decide",
    "waiting_interrupts",
]

logger = logging.getLogger(__name__)

GateNode = Literal["await_approval", "apply_approved"]


class ApprovalOutcome(TypedDict):
    """How one request ended, as kept in the state's `approvals`."""

    request_id: str
    action: str
    status: str
    result: str | None


class ApprovalState(TypedDict, total=False):
    """The state keys the gate reads and writes; agent states include them."""

    proposals: list[dict[str, Any]]
    """Requests (`ApprovalRequest` as JSON) still to ask, in order; the gate pops the first."""
    decided: dict[str, Any] | None
    """The decision (`Decision` as JSON) on the first proposal, between the two gate nodes."""
    approvals: Annotated[list[ApprovalOutcome], operator.add]
    """Every request's outcome, in order."""


@dataclass(frozen=True, slots=True)
class ApprovalGate:
    """The gate's nodes, bound to one merchant's adapters (and queue, or the graph's store).

    Without `queue`, the gate uses an `ApprovalQueue` over the store the graph was compiled
    with; without `blackboard`, decisions are posted to a blackboard over that store.
    """

    listings: ListingAdapter
    ads: AdsAdapter
    queue: ApprovalQueue | None = None
    blackboard: Blackboard | None = None
    merchant_id: str = "default"
    clock: Clock = utc_now

    def _queue(self) -> ApprovalQueue:
        if self.queue is not None:
            return self.queue
        return ApprovalQueue(get_store(), merchant_id=self.merchant_id, clock=self.clock)

    def _blackboard(self) -> Blackboard:
        if self.blackboard is not None:
            return self.blackboard
        return InMemoryBlackboard(store=get_store(), merchant_id=self.merchant_id)

    def await_approval(self, state: ApprovalState, config: RunnableConfig) -> dict[str, Any]:
        """Wait in an interrupt for a decision on the first proposal, then check it."""
        request = ApprovalRequest.model_validate(state["proposals"][0])
        conf = config.get("configurable", {})
        payload = request.model_dump(mode="json")
        interrupt_id = Interrupt.from_ns(payload, str(conf.get("checkpoint_ns", ""))).id
        self._queue().register(
            request, thread_id=str(conf.get("thread_id", "")), interrupt_id=interrupt_id
        )
        raw = interrupt(payload)
        try:
            decision = Decision.model_validate(raw)
            if decision.request_id != request.id:
                raise StaleApprovalError(decision.request_id, status="not this thread's request")
            self._queue().record_decision(decision)
        except (ValidationError, ShopcrewError) as exc:
            # A raw resume bypassed `decide`: refuse it and ask again in a fresh interrupt.
            logger.warning("approval %s: decision refused (%s)", request.id, exc)
            return {"decided": None}
        with approval_span(
            "decided", request.id, request.action, verdict=decision.verdict, by=decision.by
        ):
            self._announce(request, decision, str(conf.get("thread_id", "")))
        return {"decided": decision.model_dump(mode="json")}

    def apply_approved(self, state: ApprovalState) -> dict[str, Any]:
        """Apply an approved (or edited) request once; record a rejected one."""
        request = ApprovalRequest.model_validate(state["proposals"][0])
        decision = Decision.model_validate(state["decided"])
        result: str | None = None
        if decision.verdict == "reject":
            status = "rejected"
        else:
            status = "approved"
            record = self._queue().get(request.id)
            result = record.result
            if result is None:
                with approval_span("applied", request.id, request.action):
                    result = apply_action(
                        request.action,
                        decision.payload if decision.payload is not None else request.payload,
                        listings=self.listings,
                        ads=self.ads,
                        idempotency_key=f"approval:{request.id}",
                    )
                self._queue().record_result(request.id, result)
            logger.info("approval %s applied: %s", request.id, request.action)
        outcome = ApprovalOutcome(
            request_id=request.id, action=request.action, status=status, result=result
        )
        return {"proposals": state["proposals"][1:], "decided": None, "approvals": [outcome]}

    def after_await(self, state: ApprovalState) -> GateNode:
        """Ask again after a refused decision, else apply (or record) the decided one."""
        return "await_approval" if state.get("decided") is None else "apply_approved"

    def after_apply(self, state: ApprovalState) -> GateNode | Literal["__end__"]:
        """Ask the next proposal, or end."""
        return "await_approval" if state.get("proposals") else "__end__"

    def _announce(self, request: ApprovalRequest, decision: Decision, thread_id: str) -> None:
        self._blackboard().post(
            ApprovalNote(
                author="approval_gate",
                thread_id=thread_id,
                action=f"{request.action} ({request.id})",
                approved=decision.verdict != "reject",
                reviewer=decision.by,
                reason=decision.note,
            )
        )


def decide(
    graph: Pregel[Any, Any, Any, Any],
    queue: ApprovalQueue,
    decision: Decision | dict[str, JsonValue],
) -> dict[str, Any]:
    """Answer a waiting request and resume its thread; refuse anything else, changing nothing.

    Works from any process whose `graph` shares the request's checkpointer and whose `queue`
    shares its store. Sending the same decision again after a resume failed midway finishes
    that resume (the action still applies once).

    Args:
        graph: The compiled graph the request waits in (the crew, or an agent alone).
        queue: The merchant's approval queue.
        decision: The person's decision, bound to the request (`Decision.answering`).

    Returns:
        The graph's output after the resume.

    Raises:
        UnknownApprovalError: No such request.
        StaleApprovalError: Already decided, or its thread no longer waits for it.
        ApprovalMismatchError: The decision names another interrupt or action.
        ApprovalExpiredError: The request expired.
        pydantic.ValidationError: `decision` is not a valid `Decision`.
    """
    checked = _validated(decision)
    record: ApprovalRecord = queue.check(checked)
    config = _thread_config(record)
    if record.decision is not None:
        # The same decision again: its resume was recorded but did not finish; continue it.
        if not graph.get_state(config).next:
            raise StaleApprovalError(record.request.id, status=record.request.status)
        return dict(graph.invoke(None, config))
    _ensure_waiting(record, graph.get_state(config, subgraphs=True))
    return dict(graph.invoke(_resume(record, checked), traced(config)))


async def adecide(
    graph: Pregel[Any, Any, Any, Any],
    queue: ApprovalQueue,
    decision: Decision | dict[str, JsonValue],
) -> dict[str, Any]:
    """Async twin of `decide`: the same checks, then `ainvoke` on the waiting thread.

    The queue's store reads run in a worker thread, so a sync store does not block the loop.
    """
    checked = _validated(decision)
    record: ApprovalRecord = await asyncio.to_thread(queue.check, checked)
    config = _thread_config(record)
    if record.decision is not None:
        if not (await graph.aget_state(config)).next:
            raise StaleApprovalError(record.request.id, status=record.request.status)
        return dict(await graph.ainvoke(None, config))
    _ensure_waiting(record, await graph.aget_state(config, subgraphs=True))
    return dict(await graph.ainvoke(_resume(record, checked), traced(config)))


def _validated(decision: Decision | dict[str, JsonValue]) -> Decision:
    return decision if isinstance(decision, Decision) else Decision.model_validate(decision)


def _thread_config(record: ApprovalRecord) -> RunnableConfig:
    return {"configurable": {"thread_id": record.thread_id}}


def _resume(record: ApprovalRecord, decision: Decision) -> Command[Any]:
    return Command(resume={record.interrupt_id: decision.model_dump(mode="json")})


def _ensure_waiting(record: ApprovalRecord, snapshot: StateSnapshot) -> None:
    """Refuse a decision whose request no longer waits in its thread (e.g. a finished run)."""
    if record.interrupt_id not in {item.id for item in waiting_interrupts(snapshot)}:
        raise StaleApprovalError(record.request.id, status="no longer waiting in its thread")


def waiting_interrupts(snapshot: StateSnapshot) -> list[Interrupt]:
    """What a thread waits for, its subgraphs' interrupts included (read with subgraphs=True)."""
    found: dict[str, Interrupt] = {item.id: item for item in snapshot.interrupts}
    for task in snapshot.tasks:
        found.update((item.id, item) for item in task.interrupts)
    return list(found.values())
