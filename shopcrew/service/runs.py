"""What the endpoints do: run events, stream them, resume approvals and escalations.

Every method takes the merchant the API key decided and touches only that merchant's crew:
its own checkpointer, store, blackboard and queues, and thread ids that start with
`<merchant_id>:`. One run of a thread at a time (`ThreadGate`: a lock in process, and with
Redis the thread's lease that workers take too, so several servers and the workers share
threads safely). The first result of each event id and decision id is kept (`FirstResults`):
a resend, to any server, gets it back and runs nothing. Everything here is async: graph runs
use `ainvoke`/`astream`, sync store reads go to a worker thread.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, StateSnapshot, StreamMode

from shopcrew.agents.approvals.queue import ApprovalQueue, ApprovalRecord, Decision
from shopcrew.errors import (
    ShopcrewError,
    StaleEscalationError,
    UnknownEscalationError,
    UnknownThreadError,
)
from shopcrew.graphs.approval_gate import adecide
from shopcrew.graphs.crew import asend_event
from shopcrew.graphs.events import CrewEvent, CustomerMessage, thread_for
from shopcrew.memory import EntryKind
from shopcrew.memory._redis import AsyncClient, async_client
from shopcrew.service._convert import (
    handed_over,
    interrupts_of,
    jsonable,
    message_out,
    messages_of,
    reply_of,
    thread_state,
)
from shopcrew.service.crews import CrewRegistry, MerchantCrew
from shopcrew.service.metrics import ServiceMetrics
from shopcrew.service.results import FirstResults, fingerprint
from shopcrew.service.schemas import (
    ApprovalList,
    BlackboardList,
    DecisionIn,
    DecisionOut,
    EditIn,
    EscalationList,
    EscalationOut,
    EscalationResumeIn,
    EscalationResumeOut,
    InterruptOut,
    RunResult,
    ThreadState,
)
from shopcrew.service.threads import DEFAULT_THREAD_WAIT_S, ThreadGate, thread_ordering
from shopcrew.tools.records.approvals import ApprovalStatus
from shopcrew.tools.records.escalations import EscalationRecord, EscalationTicket
from shopcrew.tracing import event_span

__all__ = ["CrewService", "StreamItem"]

StreamItem = tuple[str, dict[str, Any]]
"""A server-sent event: its name and its JSON data."""

_STREAM_MODES: list[StreamMode] = ["updates", "messages"]


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


def _ran_before(snapshot: StateSnapshot, event: CrewEvent) -> bool:
    """Whether the thread already holds this event (a retried request)."""
    values = snapshot.values if isinstance(snapshot.values, dict) else {}
    if isinstance(event, CustomerMessage):
        return any(m.id == event.id for m in messages_of(values))
    return bool((values.get("event") or {}).get("id") == event.id)


class CrewService:
    """The service's operations over the merchants' crews.

    Args:
        crews: The per-merchant crews.
        metrics: Where events, latency, approvals and escalations are counted.
        gate: Orders the runs of each thread; in process only when omitted.
        results: The first result of each event and decision id; in process when omitted.
    """

    def __init__(
        self,
        crews: CrewRegistry,
        metrics: ServiceMetrics,
        *,
        gate: ThreadGate | None = None,
        results: FirstResults | None = None,
    ) -> None:
        self.crews, self.metrics = crews, metrics
        self.gate = gate or ThreadGate(lease=None)
        self.results = results or FirstResults(None, namespace="shopcrew")
        self._owned: AsyncClient | None = None

    @classmethod
    def from_url(
        cls,
        crews: CrewRegistry,
        metrics: ServiceMetrics,
        *,
        redis_url: str | None,
        namespace: str = "shopcrew",
        thread_wait_s: float = DEFAULT_THREAD_WAIT_S,
    ) -> CrewService:
        """A service ordered as `shopcrew serve` is: by each thread's Redis lease.

        Runs of one thread wait for each other across every process of the deployment
        (servers, MCP servers, workers); without `redis_url`, in this process only. The
        service owns the Redis client it opens: `aclose` closes it.
        """
        client = async_client(redis_url) if redis_url else None
        gate, results = thread_ordering(client, namespace=namespace, wait_s=thread_wait_s)
        service = cls(crews, metrics, gate=gate, results=results)
        service._owned = client
        return service

    async def aclose(self) -> None:
        """Close the crews, and the Redis client `from_url` opened."""
        await self.crews.aclose()
        if self._owned is not None:
            await self._owned.aclose()

    async def run(self, merchant_id: str, event: CrewEvent) -> RunResult:
        """Run an event on its thread; an event id that ran before returns its first result.

        Raises:
            ThreadBusyError: Another run held the thread past the gate's wait.
            IdempotencyConflictError: The event id was used for another event.
        """
        async with self.crews.use(merchant_id) as built:
            thread_id = thread_for(event, merchant_id=merchant_id)
            async with self.gate.hold(merchant_id, thread_id, run_id=event.id):
                before = await built.crew.aget_state(_config(thread_id), subgraphs=True)
                first = await self._first(merchant_id, event, thread_id, before)
                if first is not None:
                    return first
                with self._timed(event.kind):
                    await asend_event(built.crew, event, merchant_id=merchant_id)
                after = await built.crew.aget_state(_config(thread_id), subgraphs=True)
                result = self._finish(event.id, thread_id, before, after)
                await self._keep(merchant_id, event, result)
            return result

    async def stream(self, merchant_id: str, event: CrewEvent) -> AsyncIterator[StreamItem]:
        """Run an event, yielding LangGraph's `updates` and `messages` as they come.

        Yields `metadata` first, then `updates` and `messages` items, and `end` with the
        `RunResult` (or `error` with the error body).
        """
        async with self.crews.use(merchant_id) as built:
            thread_id = thread_for(event, merchant_id=merchant_id)
            config = _config(thread_id)
            yield "metadata", {"thread_id": thread_id, "event_id": event.id}
            try:
                async with self.gate.hold(merchant_id, thread_id, run_id=event.id):
                    before = await built.crew.aget_state(config, subgraphs=True)
                    first = await self._first(merchant_id, event, thread_id, before)
                    if first is not None:
                        yield "end", first.model_dump(mode="json")
                        return
                    with self._timed(event.kind):
                        payload = {"event": event.model_dump(mode="json")}
                        async for ns, mode, chunk in built.crew.astream(
                            payload, config, stream_mode=_STREAM_MODES, subgraphs=True
                        ):
                            yield _stream_item(tuple(ns), str(mode), chunk)
                    after = await built.crew.aget_state(config, subgraphs=True)
                    result = self._finish(event.id, thread_id, before, after)
                    await self._keep(merchant_id, event, result)
            except ShopcrewError as exc:
                self.metrics.errors.labels(type(exc).__name__, "stream").inc()
                yield "error", {"error": {"type": type(exc).__name__, "message": str(exc)}}
                return
            yield "end", result.model_dump(mode="json")

    async def thread(self, merchant_id: str, thread_id: str) -> ThreadState:
        """A thread of the merchant.

        Raises:
            UnknownThreadError: Not the merchant's thread, or no checkpoint yet.
        """
        if not thread_id.startswith(f"{merchant_id}:"):
            raise UnknownThreadError(thread_id)
        async with self.crews.use(merchant_id) as built:
            snapshot = await built.crew.aget_state(_config(thread_id), subgraphs=True)
            if snapshot.created_at is None:
                raise UnknownThreadError(thread_id)
            return thread_state(thread_id, snapshot)

    async def approvals(self, merchant_id: str, status: ApprovalStatus | None) -> ApprovalList:
        """The merchant's approval requests (with that status now, when given)."""
        async with self.crews.use(merchant_id) as built:
            records = await asyncio.to_thread(built.approvals.records, status=status)
            return ApprovalList(approvals=records)

    async def approval(self, merchant_id: str, request_id: str) -> ApprovalRecord:
        """One approval request of the merchant (`UnknownApprovalError` otherwise)."""
        async with self.crews.use(merchant_id) as built:
            return await asyncio.to_thread(built.approvals.get, request_id)

    async def decide(self, merchant_id: str, request_id: str, body: DecisionIn) -> DecisionOut:
        """Answer an approval request and resume its thread (all checks of `adecide`).

        The record is read once, for its thread and interrupt, and `adecide` checks the
        decision against that read; the gate re-checks against the store as it records the
        decision. The record is read again once the run has changed it. A decision id that
        succeeded before returns its first result; used for another decision, it is a 409.
        """
        async with self.crews.use(merchant_id) as built:
            record = await asyncio.to_thread(built.approvals.get, request_id)
            decision = Decision(
                id=body.decision_id or uuid4().hex,
                request_id=request_id,
                interrupt_id=body.interrupt_id or record.interrupt_id,
                action_hash=body.action_hash,
                verdict=body.verdict,
                by=body.by,
                payload=body.payload if isinstance(body, EditIn) else None,
                note=body.note,
            )
            thread_id, key = record.thread_id, f"decision:{decision.id}"
            request = f"{request_id}:{fingerprint(body)}"
            async with self.gate.hold(merchant_id, thread_id, run_id=key):
                if body.decision_id is not None:
                    first = await self.results.aget(
                        merchant_id, key, DecisionOut, request_fingerprint=request
                    )
                    if first is not None:
                        return first
                before = await built.crew.aget_state(_config(thread_id), subgraphs=True)
                with (
                    self._timed("human_decision"),
                    event_span(
                        "human_decision", decision.id, merchant_id=merchant_id, thread_id=thread_id
                    ),
                ):
                    await adecide(built.crew, _ReadOnce(built.approvals, record), decision)
                after = await built.crew.aget_state(_config(thread_id), subgraphs=True)
                self.metrics.approvals.labels(body.verdict).inc()
                run = self._finish(None, thread_id, before, after)
                decided = await asyncio.to_thread(built.approvals.get, request_id)
                out = DecisionOut(approval=decided, run=run)
                if body.decision_id is not None:
                    await self.results.aput(merchant_id, key, out, request_fingerprint=request)
            return out

    async def escalations(self, merchant_id: str, *, waiting: bool | None) -> EscalationList:
        """The merchant's escalations (only those waiting now, or not, when given)."""
        async with self.crews.use(merchant_id) as built:
            found = [
                await self._escalation_out(built, r) for r in await built.escalations.arecords()
            ]
            chosen = [e for e in found if waiting is None or e.waiting == waiting]
            return EscalationList(escalations=chosen)

    async def escalation(self, merchant_id: str, ticket_id: str) -> EscalationOut:
        """One escalation of the merchant (`UnknownEscalationError` otherwise)."""
        async with self.crews.use(merchant_id) as built:
            return await self._escalation_out(built, await _record(built, ticket_id))

    async def resume_escalation(
        self, merchant_id: str, ticket_id: str, body: EscalationResumeIn
    ) -> EscalationResumeOut:
        """Send a person's reply into an escalated conversation and resume it.

        Raises:
            UnknownEscalationError: The merchant has no such ticket.
            StaleEscalationError: Its conversation no longer waits for a person.
        """
        async with self.crews.use(merchant_id) as built:
            record = await _record(built, ticket_id)
            config = _config(record.thread_id)
            run_id = f"escalation:{ticket_id}:{uuid4().hex}"
            async with self.gate.hold(merchant_id, record.thread_id, run_id=run_id):
                before = await built.crew.aget_state(config, subgraphs=True)
                # Each customer message re-raises the wait in a new interrupt: find it by ticket.
                waiting = _escalation_interrupt(before, ticket_id)
                if waiting is None:
                    raise StaleEscalationError(ticket_id)
                resume = {waiting.id: {"reply": body.reply, "status": body.status}}
                with self._timed("escalation_reply"):
                    await built.crew.ainvoke(Command(resume=resume), config)
                after = await built.crew.aget_state(config, subgraphs=True)
            self.metrics.escalations.labels("resumed").inc()
            values = after.values if isinstance(after.values, dict) else {}
            ticket = EscalationTicket.model_validate(values.get("escalation") or record.ticket)
            answered = await built.escalations.aanswered(record, ticket=ticket, by=body.by)
            run = self._finish(None, record.thread_id, before, after)
            return EscalationResumeOut(
                escalation=await self._escalation_out(built, answered, snapshot=after), run=run
            )

    async def blackboard(self, merchant_id: str, kind: EntryKind | None) -> BlackboardList:
        """The merchant's blackboard entries, oldest first."""
        async with self.crews.use(merchant_id) as built:
            entries = await asyncio.to_thread(built.memory.blackboard.entries, kind=kind)
            return BlackboardList(entries=entries)

    async def _first(
        self, merchant_id: str, event: CrewEvent, thread_id: str, before: StateSnapshot
    ) -> RunResult | None:
        """The first result of an event id that ran before (on any server), else None."""
        key, request = f"event:{event.id}", fingerprint(event, exclude={"at"})
        first = await self.results.aget(merchant_id, key, RunResult, request_fingerprint=request)
        if first is not None:
            return first.model_copy(update={"replayed": True})
        if _ran_before(before, event):  # ran, but its result is gone (expired, or a crash)
            return self._result(event.id, thread_id, before, before, replayed=True)
        return None

    async def _keep(self, merchant_id: str, event: CrewEvent, result: RunResult) -> None:
        request = fingerprint(event, exclude={"at"})
        await self.results.aput(
            merchant_id, f"event:{event.id}", result, request_fingerprint=request
        )

    def _timed(self, kind: str) -> _Timed:
        return _Timed(self.metrics, kind)

    def _result(
        self,
        event_id: str | None,
        thread_id: str,
        before: StateSnapshot,
        after: StateSnapshot,
        *,
        replayed: bool = False,
    ) -> RunResult:
        values = after.values if isinstance(after.values, dict) else {}
        old = messages_of(before.values if isinstance(before.values, dict) else {})
        messages = messages_of(values)
        interrupts = interrupts_of(after)
        new = messages[len(old) :]
        return RunResult(
            event_id=event_id,
            thread_id=thread_id,
            status="waiting" if interrupts else "completed",
            agent=values.get("agent"),
            # What this run said: a person's reply on resume, not the handoff said before it.
            reply=reply_of(new),
            messages=[] if replayed else [message_out(m) for m in new],
            interrupts=interrupts,
            report=jsonable(values.get("report")),
            approvals=jsonable(values.get("approvals") or []),
            replayed=replayed,
        )

    def _finish(
        self,
        event_id: str | None,
        thread_id: str,
        before: StateSnapshot,
        after: StateSnapshot,
    ) -> RunResult:
        """Build the result; count new approval requests and new escalations.

        The graph indexes its escalations itself (`EscalationIndex.note`); a ticket waiting
        again in a new interrupt after a customer message is not a new escalation.
        """
        result = self._result(event_id, thread_id, before, after)
        earlier = interrupts_of(before)
        asked = {item.id for item in earlier}
        escalated = {item.ref for item in earlier if item.kind == "escalation"}
        for item in result.interrupts:
            if item.kind == "approval" and item.id not in asked:
                self.metrics.approvals.labels("requested").inc()
            elif item.kind == "escalation" and item.ref not in escalated:
                self.metrics.escalations.labels("opened").inc()
        return result

    async def _escalation_out(
        self, built: MerchantCrew, record: EscalationRecord, snapshot: StateSnapshot | None = None
    ) -> EscalationOut:
        if snapshot is None:
            snapshot = await built.crew.aget_state(_config(record.thread_id), subgraphs=True)
        waiting = _escalation_interrupt(snapshot, record.ticket.id)
        values = snapshot.values if isinstance(snapshot.values, dict) else {}
        current = (values.get("escalation") or {}).get("id") == record.ticket.id
        prefix = f"{built.merchant_id}:cs:"
        conversation = record.thread_id.removeprefix(prefix)
        return EscalationOut(
            id=record.ticket.id,
            thread_id=record.thread_id,
            conversation_id=conversation if record.thread_id.startswith(prefix) else None,
            interrupt_id=record.interrupt_id if waiting is None else waiting.id,
            waiting=waiting is not None,
            ticket=record.ticket,
            customer_messages=[message_out(m) for m in handed_over(messages_of(values))]
            if current
            else [],
        )


class _ReadOnce(ApprovalQueue):
    """A merchant's queue that answers `get` of one request with the record already read."""

    def __init__(self, queue: ApprovalQueue, record: ApprovalRecord) -> None:
        super().__init__(queue.store, merchant_id=queue.merchant_id, clock=queue.clock)
        self._record = record

    def get(self, request_id: str) -> ApprovalRecord:
        """The record read already for its request; any other from the store."""
        if request_id == self._record.request.id:
            return self._record
        return super().get(request_id)


async def _record(built: MerchantCrew, ticket_id: str) -> EscalationRecord:
    """The merchant's record of a ticket (`UnknownEscalationError` otherwise)."""
    record = await built.escalations.afind(ticket_id)
    if record is None:
        raise UnknownEscalationError(ticket_id)
    return record


def _escalation_interrupt(snapshot: StateSnapshot, ticket_id: str) -> InterruptOut | None:
    """The interrupt the thread waits in for a person's reply to this ticket, if any."""
    found = (i for i in interrupts_of(snapshot) if i.kind == "escalation" and i.ref == ticket_id)
    return next(found, None)


class _Timed:
    """Counts an event and observes its latency, whether the run succeeds or fails."""

    def __init__(self, metrics: ServiceMetrics, kind: str) -> None:
        self.metrics, self.kind = metrics, kind

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.metrics.events.labels(self.kind).inc()
        self.metrics.latency.labels(self.kind).observe(time.perf_counter() - self.start)


def _stream_item(ns: tuple[str, ...], mode: str, chunk: Any) -> StreamItem:
    path = [part.split(":", 1)[0] for part in ns]
    if mode == "messages":
        message, metadata = chunk
        node = metadata.get("langgraph_node") if isinstance(metadata, dict) else None
        return "messages", {"ns": path, "node": node, "message": jsonable(message)}
    return "updates", {"ns": path, "update": jsonable(chunk)}
