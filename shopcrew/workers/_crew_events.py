"""Running one crew event on its lane: the thread it leases, and resuming after a crash."""

from __future__ import annotations

import logging

from langchain_core.runnables import RunnableConfig

from shopcrew.agents.approvals.queue import ApprovalQueue
from shopcrew.errors import StaleApprovalError, UnknownApprovalError
from shopcrew.graphs.crew import Checkpoints, send_event
from shopcrew.graphs.events import CrewEvent, CustomerMessage, HumanDecision
from shopcrew.workers.lane import Lane

__all__ = ["lease_thread", "run_event"]

logger = logging.getLogger(__name__)


def lease_thread(lane: Lane, event: CrewEvent, thread: str) -> str:
    """The thread to lease: a decision leases the thread it resumes."""
    if not isinstance(event, HumanDecision) or lane.crew.store is None:
        return thread
    queue = ApprovalQueue(lane.crew.store, merchant_id=lane.merchant_id)
    try:
        return queue.get(event.decision.request_id).thread_id
    except UnknownApprovalError:
        return thread


def run_event(
    lane: Lane,
    event: CrewEvent,
    thread: str,
    *,
    retry: bool,
    parent: dict[str, str] | None = None,
) -> None:
    """Run the event, or resume its run from the last checkpoint after a crash.

    `parent` is the trace context its producer enqueued beside it.
    """
    crew, merchant = lane.crew, lane.merchant_id
    if isinstance(event, HumanDecision):
        try:
            send_event(crew, event, merchant_id=merchant, trace_parent=parent)
        except StaleApprovalError:
            if not retry or not _resume_decided(lane, event):
                raise
        return
    config: RunnableConfig = {"configurable": {"thread_id": thread}}
    snapshot = crew.get_state(config)
    current = (snapshot.values or {}).get("event") or {}
    if current.get("id") == event.id:
        if not snapshot.next or snapshot.interrupts:
            logger.info("event %s had finished before its worker stopped", event.id)
            return
        logger.warning("event %s: resuming from checkpoint at %s", event.id, snapshot.next)
        crew.invoke(None, config)
        return
    # A customer message is saved in its conversation before the agent runs, then the turn;
    # other events, each on a thread of its own, once done (see the README, "Workers").
    saves: Checkpoints = "accepted_and_done" if isinstance(event, CustomerMessage) else "done"
    send_event(crew, event, merchant_id=merchant, trace_parent=parent, checkpoints=saves)


def _resume_decided(lane: Lane, event: HumanDecision) -> bool:
    """A decision recorded by a worker that died mid-resume: finish that resume."""
    if lane.crew.store is None:
        return False
    queue = ApprovalQueue(lane.crew.store, merchant_id=lane.merchant_id)
    config: RunnableConfig = {
        "configurable": {"thread_id": queue.get(event.decision.request_id).thread_id}
    }
    snapshot = lane.crew.get_state(config)
    if not snapshot.next or snapshot.interrupts:
        return False
    lane.crew.invoke(None, config)
    return True
