"""The service's index of escalated conversations, kept in the merchant's store.

The CS graph pauses an escalated conversation in an `interrupt` carrying its
`EscalationTicket`; the service notes each ticket it sees under `("escalations", merchant_id)`
so a person can list them without scanning threads, and resume one by ticket id.
"""

from __future__ import annotations

from langgraph.store.base import BaseStore
from pydantic import BaseModel, ConfigDict, Field

from shopcrew.service.errors import UnknownEscalationError
from shopcrew.tools.escalations import EscalationTicket

__all__ = ["EscalationIndex", "EscalationRecord"]

_PAGE = 100


class EscalationRecord(BaseModel):
    """An escalation ticket, the thread and interrupt it waits in, and who answered it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket: EscalationTicket
    thread_id: str
    interrupt_id: str
    answered_by: str | None = Field(default=None, description="Who replied, once someone did.")


class EscalationIndex:
    """One merchant's escalation records in a `BaseStore` (async: the service's loop)."""

    def __init__(self, store: BaseStore, *, merchant_id: str) -> None:
        self.store, self.merchant_id = store, merchant_id
        self._namespace = ("escalations", merchant_id)

    async def anote(self, ticket: EscalationTicket, *, interrupt_id: str) -> bool:
        """Index a waiting ticket; returns whether it was new (a re-asked one is updated)."""
        found = await self.store.aget(self._namespace, ticket.id)
        if found is not None:
            current = EscalationRecord.model_validate(found.value)
            if current.interrupt_id == interrupt_id:
                return False
        record = EscalationRecord(
            ticket=ticket, thread_id=ticket.thread_id, interrupt_id=interrupt_id
        )
        await self._aput(record)
        return found is None

    async def aget(self, ticket_id: str) -> EscalationRecord:
        """The record of a ticket.

        Raises:
            UnknownEscalationError: The merchant has no such ticket.
        """
        found = await self.store.aget(self._namespace, ticket_id)
        if found is None:
            raise UnknownEscalationError(ticket_id)
        return EscalationRecord.model_validate(found.value)

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
        await self._aput(done)
        return done

    async def _aput(self, record: EscalationRecord) -> None:
        value = record.model_dump(mode="json")
        await self.store.aput(self._namespace, record.ticket.id, value, index=False)
