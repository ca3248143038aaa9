"""Handing a conversation to a person: what the customer is told and what the ticket says.

The customer always reads who takes over and what happens next (`replies.yaml`, `transfer`);
the ticket's summary names the customer (their user id, else the email or name they gave) and
carries their request in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from shopcrew.agents.cs.rules import replies as say
from shopcrew.agents.cs.rules.actions import Call
from shopcrew.agents.cs.rules.request import Request, identity
from shopcrew.agents.cs.rules.state import DialogueState
from shopcrew.tools.tau.names import TRANSFER_TOOL

__all__ = ["Handoff", "transfer"]


@dataclass(frozen=True, slots=True)
class Handoff:
    """Transfer to a person, telling the customer who takes over and what happens next."""

    call: Call
    text: str


_WHY_TRANSFER = {
    "person": "asks for a person",
    "refund_only": "wants a refund without returning the item",
    "other": "complaint or request outside what the tools can do",
}


def _who(state: DialogueState) -> str:
    """The customer as the ticket names them: user id, else the email or name they gave."""
    if state.user_id:
        return state.user_id
    who = identity(state)
    if who.email:
        return f"customer with email {who.email} (not yet identified)"
    if who.name:
        zip_code = f", zip {who.zip}" if who.zip else ""
        return f"customer named {' '.join(who.name)}{zip_code} (not yet identified)"
    return "unidentified customer"


def transfer(state: DialogueState, request: Request) -> Handoff:
    """The transfer for the request at hand, announced in the customer's language."""
    why = "person" if request.wants_human else "refund_only" if request.refund_only else "other"
    asked = " / ".join(state.humans[i] for i in state.window if state.humans[i].strip())
    summary = (
        f"{_who(state)} {_WHY_TRANSFER[why]}. Order: {request.order_id or 'none'}. "
        f"Customer wrote: {asked[-600:]}"
    )
    call = Call(TRANSFER_TOOL, {"summary": summary})
    return Handoff(call, say.announce_transfer(state.lang, why))
