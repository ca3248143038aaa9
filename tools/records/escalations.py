"""Escalation tickets (a conversation handed to a person) and the index that lists them.

The graph node that pauses a conversation for a person notes its ticket in the merchant's
store (`EscalationIndex.note`, under `("escalations", merchant_id)`) just before it waits, in
whichever process runs it: the HTTP service or a worker. The service lists and resumes
escalations from that index, so every escalation of a deployment sharing one store is seen.
"""

from __future__ import annotations

from typing import Literal

from langgraph.store.base import BaseStore, Item
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "EscalationIndex",
    "EscalationReason",
    "EscalationRecord",
    "EscalationStatus",
    "EscalationTicket",
]

_PAGE = 100

EscalationStatus = Literal["open", "in_progress", "resolved"]
"""`open` until a person picks the ticket up, `in_progress` while they work on it."""

EscalationReason = Literal[
    "customer_request", "refund_only", "out_of_scope", "complaint", "policy", "other"
]
"""Why the agent escalated (CS policy rule 12, and agent-specific policy reasons)."""


class EscalationTicket(BaseModel):
    """A conversation an agent handed to a human agent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Ticket id.")
    merchant_id: str = Field(min_length=1, description="The merchant whose customer this is.")
    customer_id: str | None = Field(
        description="The identified customer's user id, or null for an anonymous customer."
    )
    thread_id: str = Field(min_length=1, description="The conversation (LangGraph thread) id.")
    reason: EscalationReason
    summary: str = Field(min_length=1, description="What the customer wants, for the person.")
    status: EscalationStatus = "open"
    created_at: AwareDatetime = Field(description="When the ticket was opened (timezone-aware).")
    agent: str = Field(default="customer_service", description="The agent that escalated.")

    def with_status(self, status: EscalationStatus) -> EscalationTicket:
        """Return a copy of the ticket with another status."""
        return self.model_copy(update={"status": status})


class EscalationRecord(BaseModel):
    """An escalation ticket, the thread and interrupt it waits in, and who answered it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket: EscalationTicket
    thread_id: str
    interrupt_id: str = Field(description="The interrupt the thread waits in (the latest one).")
    answered_by: str | None = Field(default=None, description="Who replied, once someone did.")


class EscalationIndex:
    """One merchant's escalation records in a `BaseStore`.

    Args:
        store: The merchant's long-term store (shared by the service and the workers).
        merchant_id: The merchant.
    """

    def __init__(self, store: BaseStore, *, merchant_id: str) -> None:
        self.store, self.merchant_id = store, merchant_id
        self._namespace = ("escalations", merchant_id)

    def note(self, ticket: EscalationTicket, *, interrupt_id: str) -> bool:
        """Index a ticket about to wait in `interrupt_id`; returns whether it is new.

        Noting the same wait again (a resumed node runs again) changes nothing; a ticket that
        waits again in a new interrupt (the customer wrote meanwhile) gets that interrupt.
        """
        found = self.store.get(self._namespace, ticket.id)
        record = _noted(found, ticket, interrupt_id)
        if record is not None:
            self._put(record)
        return found is None

    def find(self, ticket_id: str) -> EscalationRecord | None:
        """The record of a ticket, or None when the merchant has no such ticket."""
        return _record(self.store.get(self._namespace, ticket_id))

    async def afind(self, ticket_id: str) -> EscalationRecord | None:
        """Async twin of `find`."""
        return _record(await self.store.aget(self._namespace, ticket_id))

    async def arecords(self) -> list[EscalationRecord]:
        """Every record, oldest ticket first."""
        found: list[EscalationRecord] = []
        while True:
            page = await self.store.asearch(self._namespace, limit=_PAGE, offset=len(found))
            found += [EscalationRecord.model_validate(item.value) for item in page]
            if len(page) < _PAGE:
                break
        return sorted(found, key=lambda r: (r.ticket.created_at, r.ticket.id))

    async def aanswered(
        self, record: EscalationRecord, *, ticket: EscalationTicket, by: str
    ) -> EscalationRecord:
        """Keep the ticket as the resumed thread left it, and who answered."""
        done = record.model_copy(update={"ticket": ticket, "answered_by": by})
        await self.store.aput(self._namespace, done.ticket.id, _value(done), index=False)
        return done

    def _put(self, record: EscalationRecord) -> None:
        self.store.put(self._namespace, record.ticket.id, _value(record), index=False)


def _noted(
    found: Item | None, ticket: EscalationTicket, interrupt_id: str
) -> EscalationRecord | None:
    """The record to write when `ticket` waits in `interrupt_id`, or None if it is there."""
    current = _record(found)
    if current is not None and current.interrupt_id == interrupt_id:
        return None
    return EscalationRecord(ticket=ticket, thread_id=ticket.thread_id, interrupt_id=interrupt_id)


def _record(found: Item | None) -> EscalationRecord | None:
    return None if found is None else EscalationRecord.model_validate(found.value)


def _value(record: EscalationRecord) -> dict[str, object]:
    return record.model_dump(mode="json")
