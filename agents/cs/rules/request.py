"""The customer's current request, gathered over the turns since the last completed change.

A request is often spread over several messages ("I want to cancel #W…", then "I don't need it
anymore"); each slot takes its latest value within the request's turns, and the action is the
latest one asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from shopcrew.agents.cs.rules.items import find_products
from shopcrew.agents.cs.rules.lexicon import cue
from shopcrew.agents.cs.rules.nlu import (
    Action,
    OrderQuestion,
    Understanding,
    cue_spots,
    intent_scores,
)
from shopcrew.agents.cs.rules.segments import RequestSegment
from shopcrew.agents.cs.rules.slots import Address, CancelReason, PaymentRef, target_payment
from shopcrew.agents.cs.rules.state import DialogueState

__all__ = ["Focus", "Identity", "Request", "current_request", "identity"]


@dataclass(frozen=True, slots=True)
class Identity:
    """How the customer identified themselves, latest values first."""

    email: str | None = None
    name: tuple[str, str] | None = None
    zip: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Focus:
    """Where one request of a message carrying several is read from (`agenda`).

    The request is its own part of that message, plus the customer's later turns from `start`
    on; the first request also takes the turns of the same request before that message.
    """

    segment: RequestSegment | None
    """The request; None once every request of the message is finished."""
    anchor: int
    """The turn of the message that carries the requests."""
    start: int
    """The first turn after the anchor that belongs to this request."""
    upto: int
    """The last turn read."""
    preface: tuple[int, ...] = ()
    """Turns before the anchor that belong to the first request."""


@dataclass(frozen=True, slots=True)
class Request:
    """What the customer wants, from the turns of the current request."""

    action: Action | None
    question: OrderQuestion | None
    order_id: str | None
    reason: CancelReason | None
    address: Address | None
    payment: PaymentRef | None
    """The method the customer wants used (refund target or payer), if named."""
    item_text: str
    """The latest message of the request that names items (for `items`)."""
    faq: tuple[str, ...]
    """Knowledge-base topics of the latest message."""
    wants_human: bool
    refund_only: bool
    complaint: bool
    injection: bool
    refuses_identify: bool
    amounts: tuple[float, ...]
    text: str = ""
    """The request's turns, joined."""
    order_in_window: bool = False
    """Whether an order id was written in the request's own turns."""
    inferred_drop: bool = False
    """The action is a provisional ``cancel`` read from "I don't want it any more" alone; the
    order's status decides (a delivered order is returned instead)."""
    after_items: tuple[str, ...] = ()
    """The request's messages after `item_text`: they may correct its options without naming
    the item again ("No wait, make it color red instead", "不对，换成红色")."""


_REFUND = cue("refund")
_SLOT_ACTIONS = frozenset({"modify_payment", "modify_address"})
"""Actions whose cues are also the words of a slot ("refund to the original payment method")."""


_ADDRESS_ACTIONS = frozenset({"modify_address", "user_address"})
_EARLIER_ADDRESS = cue("earlier_address")
"""Words that point back to an address the customer already gave ("make that my default
address", "默认地址也改成这个")."""
_PAYMENT_CHANGE = cue("payment_change")


def _overrides(understood: Understanding, current: Action | None, text: str) -> bool:
    """Whether a later message's action replaces the one asked for earlier in the request.

    Payment or address words during a request in progress name that request's payer, refund
    target or address, unless the message names an order, says to change the order's payment,
    or asks for a shipping address where the request in progress takes none.
    """
    if current is None or current == "status":
        return True
    if understood.action not in _SLOT_ACTIONS or understood.order_ids:
        return True
    if understood.action == "modify_address" and current not in _ADDRESS_ACTIONS:
        # No request under way takes a shipping address but an address change: "rather than
        # cancelling, ship it to …" changes the request.
        return understood.scores.get("modify_address", 0.0) >= 2
    return understood.action == "modify_payment" and bool(_PAYMENT_CHANGE.search(text))


def _first_asked(understood: Understanding, text: str) -> Action | None:
    """With two orders and two requests in one message, the request written first.

    The other one is taken up after the first is done (`dialogue` names it then).
    """
    if len(set(understood.order_ids)) < 2:
        return None
    strong = [a for a in _FIRST_CANDIDATES if understood.scores.get(a, 0.0) >= 3]
    if len(strong) < 2:
        return None
    first: dict[Action, int] = {}
    for action in strong:
        spots = cue_spots(action, text, min_weight=2)
        if spots:
            first[action] = min(spots)
    if not first:
        return None
    chosen: Action = min(first, key=first.__getitem__)
    return chosen


_FIRST_CANDIDATES: tuple[Action, ...] = ("cancel", "return", "exchange", "modify_items")


def _message_action(understood: Understanding, text: str) -> Action | None:
    """The message's action, where payment words naming a refund's target do not count."""
    first = _first_asked(understood, text)
    if first is not None:
        return first
    if understood.action != "modify_payment":
        return understood.action
    refund_target = any(ref.kind == "original" for ref in understood.payments) or bool(
        _REFUND.search(text)
    )
    if refund_target and understood.scores.get("return", 0.0) > 0:
        return "return"
    return understood.action


def _item_change_hint(understood: Understanding) -> bool:
    """A weak "switch/change the …" with an order id: an item change the NLU did not name."""
    weak = understood.scores.get("modify_items", 0.0) + understood.scores.get("exchange", 0.0)
    return weak > 0 and bool(understood.order_ids)


def identity(state: DialogueState) -> Identity:
    """The latest email, name, zip and phone the customer gave in the whole conversation."""
    email = name = zip_code = phone = None
    for understood in state.understood:
        email = understood.email or email
        name = understood.name or name
        zip_code = understood.zip or zip_code
        phone = understood.phone or phone
    return Identity(email, name, zip_code, phone)


_CLAUSE_BREAK = cue("clause_break", frame="[.;!?,，。；！？]|{}", flags=0)


def _order_for_action(text: str, ids: tuple[str, ...], action: Action | None) -> str:
    """Of several orders named in one message, the one the action's words stand next to.

    "Cancel #W1 (ordered by mistake), and I want to return something from #W2": the cancel is
    for #W1. Each order id owns its clauses up to the next id's clause; the best-scoring one
    wins, the last one on a tie.
    """
    if action is None or len(set(ids)) < 2:
        return ids[-1]
    spots = []
    for order_id in ids:
        at = text.find(order_id.lstrip("#"))
        spots.append((at, order_id))
    if any(at < 0 for at, _ in spots):
        return ids[-1]
    spots.sort()
    cuts = [0]
    for at, _ in spots[1:]:
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, cuts[-1], at)]
        cuts.append(breaks[-1] if breaks else at)
    cuts.append(len(text))
    best, best_score = ids[-1], 0.0
    for index, (_, order_id) in enumerate(spots):
        scores = intent_scores(text[cuts[index] : cuts[index + 1]])
        score = scores.get(action, 0.0)
        if action in {"modify_items", "exchange"}:
            score += scores.get("exchange" if action == "modify_items" else "modify_items", 0.0)
        if score > best_score or (score == best_score and score > 0):
            best, best_score = order_id, score
    return best


def _latest_order_id(
    state: DialogueState,
    entries: list[tuple[str, Understanding]],
    action: Action | None = None,
    *,
    focus: Focus | None = None,
) -> str | None:
    for text, understood in reversed(entries):
        if understood.order_ids:
            return _order_for_action(text, understood.order_ids, action)
    for turn, understood in reversed(list(enumerate(state.understood))):
        # The orders of a message's other requests are theirs, not this one's.
        if focus is not None and focus.segment is not None and turn == focus.anchor:
            continue
        if understood.order_ids:
            return understood.order_ids[-1]
    return None


def _entries(state: DialogueState, focus: Focus | None) -> list[tuple[str, Understanding]]:
    """The messages of the current request, as (text, understanding)."""
    if focus is None:
        turns = state.window or (state.turn,)
        return [(state.humans[turn], state.understood[turn]) for turn in turns]
    entries = [(state.humans[turn], state.understood[turn]) for turn in focus.preface]
    first = max(focus.start, focus.anchor + 1)
    if focus.segment is not None:
        entries.append((focus.segment.text, focus.segment.understood))
    entries += [
        (state.humans[turn], state.understood[turn]) for turn in range(first, focus.upto + 1)
    ]
    return entries


def _anchor_says_refund_only(state: DialogueState, focus: Focus | None) -> bool:
    """Money back while keeping the item, said anywhere in a message of several requests."""
    return (
        focus is not None
        and focus.segment is not None
        and (state.understood[focus.anchor].refund_only)
    )


def current_request(
    state: DialogueState, *, item_names: tuple[str, ...] = (), focus: Focus | None = None
) -> Request:
    """Gather the current request from the turns since the latest successful write.

    Args:
        state: The dialogue state.
        item_names: Product names of the order at hand, to find the message naming items.
        focus: With a message carrying several requests, the one at hand (`agenda`).
    """
    entries = _entries(state, focus)
    action: Action | None = None
    question: OrderQuestion | None = None
    for text, understood in entries:
        said = _message_action(understood, text)
        if said is None and action is None and _item_change_hint(understood):
            # An item change inferred from "switch the …" with an order id is in progress from
            # here on: a later "I'll pay with my …" names its payer.
            action = "modify_items"
            continue
        if said is None or not _overrides(understood, action, text):
            continue
        action, question = said, understood.order_question
    window = [understood for _, understood in entries]
    order_in_window = any(u.order_ids for u in window)
    wanted = [target_payment(u.payments) for u in window]
    if action is None and order_in_window and any(ref and ref.kind != "original" for ref in wanted):
        action = "modify_payment"
    reason = next((u.reason for u in reversed(window) if u.reason), None)
    inferred_drop = action is None and reason == "no longer needed" and order_in_window
    if inferred_drop:
        action = "cancel"
    address = next((u.address for u in reversed(window) if u.address), None)
    if address is None and action in _ADDRESS_ACTIONS:
        if any(_EARLIER_ADDRESS.search(text) for text, _ in entries):
            address = next((u.address for u in reversed(state.understood) if u.address), None)
    payment = None
    for understood in reversed(window):
        payment = target_payment(understood.payments)
        if payment is not None:
            break
    item_text = ""
    after_items: list[str] = []
    if item_names:
        for text, _ in reversed(entries):
            if find_products(text, list(item_names)):
                item_text = text
                break
            after_items.insert(0, text)
    latest = state.latest()
    return Request(
        action=action,
        question=question,
        order_id=_latest_order_id(state, entries, action, focus=focus),
        reason=reason,
        address=address,
        payment=payment,
        item_text=item_text,
        after_items=tuple(after_items) if item_text else (),
        faq=latest.faq,
        wants_human=latest.wants_human,
        refund_only=any(u.refund_only for u in window) or _anchor_says_refund_only(state, focus),
        complaint=latest.complaint,
        injection=latest.injection,
        refuses_identify=any(u.refuses_identify for u in window),
        amounts=latest.amounts,
        text=" ".join(text for text, _ in entries),
        order_in_window=order_in_window,
        inferred_drop=inferred_drop,
    )
