"""The requests of a message of several, one at a time: the agenda, and what to say around it.

What the reply says before its answer when a message carried several requests (a recap of the
change just made, a refusal that ended one of them, which request comes next), and before a
change that closes the order, the requests for it that it rules out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import BaseMessage

from shopcrew.agents.cs.rules import replies as say
from shopcrew.agents.cs.rules.actions import Propose, Refuse, order_item_names, plan_order_action
from shopcrew.agents.cs.rules.agenda import Agenda, derive_agenda
from shopcrew.agents.cs.rules.recap import recap
from shopcrew.agents.cs.rules.request import Focus, Request, current_request
from shopcrew.agents.cs.rules.segments import action_family
from shopcrew.agents.cs.rules.state import DialogueState, ToolEvent, derive_state
from shopcrew.tools.tau.names import (
    CANCEL_PENDING_ORDER,
    EXCHANGE_DELIVERED_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_ITEMS,
    RETURN_DELIVERED_ORDER_ITEMS,
)

__all__ = [
    "agenda_of",
    "blocking_note",
    "final_refusal",
    "lead_ins",
    "order_request",
    "previous_agenda",
]


def order_request(state: DialogueState, order: Mapping[str, Any], focus: Focus | None) -> Request:
    """The request about an order already read, with the order's items to look for."""
    request = current_request(state, item_names=order_item_names(order), focus=focus)
    if request.inferred_drop and order.get("status") == "delivered":
        request = replace(request, action="return")
    return request


_FINAL_REFUSALS = frozenset({"status", "unavailable", "same_payment", "payment_changed"})
"""Refusals that finish a request of several: what the customer could fix by naming another
payment method or item keeps the request at hand."""


def final_refusal(state: DialogueState, focus: Focus) -> str | None:
    """The policy's outright refusal of the request read from a focus, as said to the customer."""
    request = current_request(state, focus=focus)
    user, order_id = state.user, request.order_id
    if user is None or order_id is None or request.action in {None, "status", "user_address"}:
        return None
    if order_id not in user.get("orders", []):
        return say.not_your_order(order_id, state.lang)
    order = state.orders.get(order_id)
    if order is None:
        return None
    request = order_request(state, order, focus)
    plan = plan_order_action(request, user, order, state.products)
    if isinstance(plan, Refuse) and plan.why in _FINAL_REFUSALS:
        return say.refuse(plan, state.lang, request.action, currency=state.currency)
    return None


def agenda_of(state: DialogueState) -> Agenda | None:
    """The requests of the message that started the work at hand, and how each ended."""

    def refused(focus: Focus) -> bool:
        return final_refusal(state, focus) is not None

    return derive_agenda(state, refused=refused)


def lead_ins(
    state: DialogueState,
    agenda: Agenda,
    previous: Agenda | None,
    done: ToolEvent | None,
) -> list[str]:
    """What to say before the answer when a message carries several requests.

    Args:
        state: The dialogue state.
        agenda: Its agenda.
        previous: The agenda the previous reply was decided from, if it had the same anchor.
        done: The write made this turn for one of the requests.
    """
    lang = state.lang
    leads = [recap(state, done)] if done else []
    if agenda.indices("declined", turn=state.turn):
        leads.append(say.declined(lang))
    reported = set(previous.indices("refused")) if previous else set()
    for finished in agenda.finished:
        if finished.how == "refused" and finished.index not in reported:
            text = final_refusal(state, finished.focus)
            if text:
                leads.append(text)
    current = agenda.current
    if current is None:
        return leads
    if agenda.index > (previous.index if previous else 0):
        noun = str(action_family(current.action))
        leads.append(say.next_request(noun, current.understood.order_ids, lang))
    elif previous is None and state.turn == agenda.anchor:
        requests = [
            (str(action_family(s.action)), next(iter(s.understood.order_ids), None))
            for s in agenda.segments
        ]
        leads.append(say.one_at_a_time(requests, lang))
    return leads


_STATUS_CHANGING = frozenset(
    {
        CANCEL_PENDING_ORDER,
        MODIFY_PENDING_ORDER_ITEMS,
        RETURN_DELIVERED_ORDER_ITEMS,
        EXCHANGE_DELIVERED_ORDER_ITEMS,
    }
)
"""Writes after which the order can take no other change (rules 4, 6 and 8)."""


def blocking_note(state: DialogueState, agenda: Agenda, plan: Propose) -> str:
    """Before a change that closes the order, name the requests for it that it rules out."""
    if plan.call.name not in _STATUS_CHANGING or plan.order_id is None:
        return ""
    later = [
        str(action_family(segment.action))
        for segment in agenda.segments[agenda.index + 1 :]
        if plan.order_id in segment.understood.order_ids
    ]
    return say.blocked_later(plan.order_id, later, state.lang) if later else ""


def previous_agenda(
    messages: Sequence[BaseMessage], state: DialogueState, agenda: Agenda
) -> Agenda | None:
    """The agenda the previous reply was decided from, when it had the same anchor."""
    if state.prev_reply_index is None:
        return None
    before = agenda_of(derive_state(messages[: state.prev_reply_index]))
    return before if before is not None and before.anchor == agenda.anchor else None
