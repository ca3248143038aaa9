"""The approval queue: risky actions that wait for a person, indexed in the long-term store.

A request waits in its graph thread as a LangGraph `interrupt` (see
`shopcrew.graphs.approval_gate`); this module keeps the index beside it, under
`("approvals", merchant_id)` of any `BaseStore`, so listing what waits never scans threads,
and any process sharing the store sees the same queue. A `Decision` is bound to one
request: its interrupt id and action hash must match, it must arrive before the request
expires, and a request is decided once. `ApprovalQueue.check` enforces all of it and raises
a typed error otherwise, before anything is resumed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal
from uuid import uuid4

from langgraph.store.base import BaseStore
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, model_validator

from shopcrew.errors import (
    ApprovalExpiredError,
    ApprovalMismatchError,
    StaleApprovalError,
    UnknownApprovalError,
)
from shopcrew.tools.records.approvals import ApprovalRequest, ApprovalStatus
from shopcrew.tracing import approval_span

__all__ = ["ApprovalQueue", "ApprovalRecord", "Clock", "Decision", "Verdict", "utc_now"]

logger = logging.getLogger(__name__)

Verdict = Literal["approve", "reject", "edit"]
"""`edit` approves the action with the decision's `payload` instead of the proposed one."""

Clock = Callable[[], datetime]
"""Returns the current aware time; injected so tests can move time."""

_PAGE = 100


def utc_now() -> datetime:
    """The current time in UTC (the default `Clock`)."""
    return datetime.now(UTC)


class Decision(BaseModel):
    """A person's answer to one approval request, bound to its interrupt and action hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        default_factory=lambda: uuid4().hex,
        min_length=1,
        description="Decision id; a retry of the same decision sends the same id.",
    )
    request_id: str = Field(min_length=1, description="The `ApprovalRequest.id` answered.")
    interrupt_id: str = Field(min_length=1, description="The interrupt the request waits in.")
    action_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="The request's action hash.")
    verdict: Verdict
    by: str = Field(min_length=1, description="Who decided.")
    at: AwareDatetime = Field(default_factory=utc_now, description="When the person decided.")
    payload: dict[str, JsonValue] | None = Field(
        default=None, description="The edited action arguments; only with verdict 'edit'."
    )
    note: str = Field(default="", description="The person's remark.")

    @model_validator(mode="after")
    def _payload_only_with_edit(self) -> Decision:
        if (self.verdict == "edit") != (self.payload is not None):
            raise ValueError("payload is required with verdict 'edit' and refused otherwise")
        return self

    @classmethod
    def answering(
        cls,
        record: ApprovalRecord,
        verdict: Verdict,
        *,
        by: str,
        payload: dict[str, JsonValue] | None = None,
        note: str = "",
    ) -> Decision:
        """A decision bound to `record` (its request id, interrupt id and action hash)."""
        return cls(
            request_id=record.request.id,
            interrupt_id=record.interrupt_id,
            action_hash=record.request.action_hash,
            verdict=verdict,
            by=by,
            payload=payload,
            note=note,
        )


class ApprovalRecord(BaseModel):
    """A request in the queue: where it waits, how it was decided, what applying it returned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    request: ApprovalRequest
    thread_id: str = Field(description="The graph thread the request waits in.")
    interrupt_id: str = Field(description="The interrupt it waits in (changes if re-asked).")
    decision: Decision | None = None
    result: str | None = Field(default=None, description="What applying it returned, once run.")

    def status(self, now: datetime) -> ApprovalStatus:
        """The request's status at `now` (a pending request past its expiry is expired)."""
        return self.request.effective_status(now)


class ApprovalQueue:
    """One merchant's approval requests, kept in a `BaseStore`.

    Args:
        store: Where the index lives (share it between processes to share the queue).
        merchant_id: The merchant.
        clock: The current time, for expiry.
    """

    def __init__(
        self, store: BaseStore, *, merchant_id: str = "default", clock: Clock = utc_now
    ) -> None:
        self.store, self.merchant_id, self.clock = store, merchant_id, clock
        self._namespace = ("approvals", merchant_id)

    def register(self, request: ApprovalRequest, *, thread_id: str, interrupt_id: str) -> None:
        """Index a request waiting in `thread_id` at `interrupt_id` (kept as is once decided)."""
        found = self.store.get(self._namespace, request.id)
        if found is not None:
            current = ApprovalRecord.model_validate(found.value["record"])
            if current.decision is not None or current.interrupt_id == interrupt_id:
                return
        self._put(ApprovalRecord(request=request, thread_id=thread_id, interrupt_id=interrupt_id))
        with approval_span("requested", request.id, request.action, thread_id=thread_id):
            pass

    def get(self, request_id: str) -> ApprovalRecord:
        """The record of a request.

        Raises:
            UnknownApprovalError: No such request.
        """
        found = self.store.get(self._namespace, request_id)
        if found is None:
            raise UnknownApprovalError(request_id, merchant_id=self.merchant_id)
        return ApprovalRecord.model_validate(found.value["record"])

    def records(self, *, status: ApprovalStatus | None = None) -> list[ApprovalRecord]:
        """Every record (with that status now, when given), oldest request first."""
        now = self.clock()
        found: list[ApprovalRecord] = []
        offset = 0
        while True:
            page = self.store.search(self._namespace, limit=_PAGE, offset=offset)
            found += [ApprovalRecord.model_validate(item.value["record"]) for item in page]
            offset += len(page)
            if len(page) < _PAGE:
                break
        found.sort(key=lambda record: (record.request.created_at, record.request.id))
        return [r for r in found if status is None or r.status(now) == status]

    def pending(self) -> list[ApprovalRecord]:
        """What waits for a person now, oldest first."""
        return self.records(status="pending")

    def check(self, decision: Decision) -> ApprovalRecord:
        """Refuse a decision that does not answer a waiting request exactly; changes nothing.

        A retry of the decision already recorded (same decision id) passes, so a resume
        that failed midway can be sent again.

        Returns:
            The request's record.

        Raises:
            UnknownApprovalError: No such request.
            StaleApprovalError: The request was already decided by another decision.
            ApprovalMismatchError: The interrupt id or the action hash differs.
            ApprovalExpiredError: The request expired before the decision could apply.
        """
        record = self.get(decision.request_id)
        if record.decision is not None:
            retry = record.decision.id == decision.id and record.decision.verdict != "reject"
            if retry and record.result is None:
                return record
            raise StaleApprovalError(record.request.id, status=record.request.status)
        if decision.interrupt_id != record.interrupt_id:
            raise ApprovalMismatchError(
                record.request.id,
                field="interrupt_id",
                expected=record.interrupt_id,
                received=decision.interrupt_id,
            )
        if decision.action_hash != record.request.action_hash:
            raise ApprovalMismatchError(
                record.request.id,
                field="action_hash",
                expected=record.request.action_hash,
                received=decision.action_hash,
            )
        if record.status(self.clock()) == "expired":
            raise ApprovalExpiredError(
                record.request.id, expires_at=record.request.expires_at.isoformat()
            )
        return record

    def record_decision(self, decision: Decision) -> ApprovalRecord:
        """Check `decision` (see `check`) and keep it; returns the decided record."""
        record = self.check(decision)
        if record.decision is not None:
            return record
        status: Literal["approved", "rejected"] = (
            "rejected" if decision.verdict == "reject" else "approved"
        )
        decided = record.model_copy(
            update={
                "request": record.request.decide(status, by=decision.by, now=self.clock()),
                "decision": decision,
            }
        )
        self._put(decided)
        logger.info("approval %s %s by %s", record.request.id, status, decision.by)
        return decided

    def record_result(self, request_id: str, result: str) -> ApprovalRecord:
        """Keep what applying an approved request returned."""
        done = self.get(request_id).model_copy(update={"result": result})
        self._put(done)
        return done

    def _put(self, record: ApprovalRecord) -> None:
        value = {"record": record.model_dump(mode="json"), "status": record.request.status}
        self.store.put(self._namespace, record.request.id, value, index=False)
