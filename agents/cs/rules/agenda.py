"""Several requests in one customer message: which one is at hand, and what became of the others.

The latest message carrying two or more requests (`segments`) is the *anchor*; so is a
message that goes on with the request under way and adds another after a connective ("…by
mistake. Also, return the lamp"), its first request being the one under way. The requests are
taken one at a time, in the order written. The one at hand is finished when a write is made
for it (done), when the customer says no to it (declined), or when the policy forbids it outright
(refused: the order's status, an order that is not theirs, a variant that does not exist...);
the next one then starts from what the anchor said about it, and the customer's turns from there
on fill in what is still missing. Like the rest of the dialogue state, this is read back from the
transcript on every call; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from shopcrew.agents.cs.rules.nlu import Understanding, understand
from shopcrew.agents.cs.rules.request import Focus, current_request
from shopcrew.agents.cs.rules.segments import (
    RequestSegment,
    action_family,
    split_addition,
    split_requests,
)
from shopcrew.agents.cs.rules.state import DialogueState, ToolEvent
from shopcrew.tools.tau.names import (
    CANCEL_PENDING_ORDER,
    EXCHANGE_DELIVERED_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_ADDRESS,
    MODIFY_PENDING_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_PAYMENT,
    MODIFY_USER_ADDRESS,
    RETAIL_WRITE_TOOLS,
    RETURN_DELIVERED_ORDER_ITEMS,
)

__all__ = ["Agenda", "Finish", "Finished", "derive_agenda"]

Finish = Literal["done", "declined", "refused"]

_WRITE_FAMILY = {
    CANCEL_PENDING_ORDER: "cancel",
    MODIFY_PENDING_ORDER_ADDRESS: "modify_address",
    MODIFY_PENDING_ORDER_PAYMENT: "modify_payment",
    MODIFY_PENDING_ORDER_ITEMS: "items",
    EXCHANGE_DELIVERED_ORDER_ITEMS: "items",
    RETURN_DELIVERED_ORDER_ITEMS: "return",
    MODIFY_USER_ADDRESS: "user_address",
}


@dataclass(frozen=True, slots=True)
class Finished:
    """A request of the anchor that is no longer at hand."""

    index: int
    """Its position among the anchor's requests."""
    how: Finish
    turn: int
    """The customer turn during which it was finished."""
    focus: Focus
    """Where it was read from when it was finished."""


@dataclass(frozen=True, slots=True)
class Agenda:
    """The requests of the anchor message and where the conversation is among them."""

    anchor: int
    segments: tuple[RequestSegment, ...]
    finished: tuple[Finished, ...]
    index: int
    """The request at hand (``len(segments)`` once all are finished)."""
    focus: Focus
    """Where the request at hand is read from (`cs_request.current_request`)."""

    @property
    def current(self) -> RequestSegment | None:
        """The request at hand, None once all are finished."""
        return self.focus.segment

    def indices(self, how: Finish, *, turn: int | None = None) -> tuple[int, ...]:
        """Requests finished in this way (during that customer turn, if given)."""
        return tuple(
            f.index for f in self.finished if f.how == how and (turn is None or f.turn == turn)
        )


def _matches(event: ToolEvent, segment: RequestSegment) -> bool:
    if _WRITE_FAMILY.get(event.name) != action_family(segment.action):
        return False
    order_id = event.args.get("order_id")
    return (
        order_id is None
        or not segment.understood.order_ids
        or (order_id in segment.understood.order_ids)
    )


def _declines(understood: Understanding, segment: RequestSegment) -> bool:
    """A plain no to the request at hand ("no, leave that one"), with nothing new in it."""
    if understood.yes_no is not False:
        return False
    # "不用了" also reads as a cancellation reason; once the request has one, it is a no.
    fresh = segment.action == "cancel" and segment.understood.reason is None
    reason = understood.reason if fresh else None
    slots = (understood.address, reason, understood.email, understood.name)
    if any(slot is not None for slot in slots) or understood.order_ids or understood.payments:
        return False
    return understood.action is None or action_family(understood.action) == action_family(
        segment.action
    )


def _addition(
    state: DialogueState, turn: int, refused: Callable[[Focus], bool]
) -> tuple[RequestSegment, ...]:
    """The request under way and the one a message adds to it ("… Also, return the lamp")."""
    split = split_addition(state.humans[turn], state.lang)
    writes = [
        e.turn for e in state.events if e.name in RETAIL_WRITE_TOOLS and e.ok and e.turn < turn
    ]
    start = max(writes, default=-1) + 1
    earlier = range(start, turn)
    if split is None or not earlier:
        return ()
    if any(split_requests(state.humans[t], state.lang) for t in earlier):
        return ()
    head, new = split
    before = Focus(None, start - 1, start, turn - 1)
    ongoing = current_request(state, focus=before)
    if ongoing.action is None or ongoing.action == "status":
        return ()
    order = (ongoing.order_id,) if ongoing.order_id and ongoing.action != "user_address" else ()
    new_ids = new.understood.order_ids
    if action_family(ongoing.action) == action_family(new.action) and set(new_ids) <= set(order):
        return ()
    understood = understand(head, default_lang=state.lang)
    under_way = RequestSegment(
        ongoing.action, head, replace(understood, action=ongoing.action, order_ids=order)
    )
    later = [e for e in state.events if e.name in RETAIL_WRITE_TOOLS and e.ok and e.turn >= turn]
    # A request written for later was not refused then, whatever its order's status is now.
    if not any(_matches(e, under_way) for e in later) and refused(before):
        return ()
    if not new_ids and new.action != "user_address":
        new = replace(new, understood=replace(new.understood, order_ids=order))
    return under_way, new


def _anchor(
    state: DialogueState, refused: Callable[[Focus], bool]
) -> tuple[int, tuple[RequestSegment, ...]] | None:
    """The latest message carrying several requests, and its requests."""
    for turn in reversed(range(len(state.humans))):
        segments = split_requests(state.humans[turn], state.lang)
        if not segments:
            segments = _addition(state, turn, refused)
        if segments:
            return turn, segments
    return None


def derive_agenda(state: DialogueState, *, refused: Callable[[Focus], bool]) -> Agenda | None:
    """Read the anchor's requests and their progress out of the dialogue state.

    Args:
        state: The dialogue state.
        refused: Whether the policy forbids the request read from a focus outright, with the
            store records read so far; a request a write was made for is never asked about.

    Returns:
        The agenda, or None when no message carries several requests.
    """
    found = _anchor(state, refused)
    if found is None:
        return None
    anchor, segments = found
    writes = [e for e in state.events if e.name in RETAIL_WRITE_TOOLS and e.ok]
    before = max((e.turn for e in writes if e.turn < anchor), default=-1)
    preface = tuple(range(before + 1, anchor))
    writes = [e for e in writes if e.turn >= anchor]
    finished: list[Finished] = []

    def focus(index: int, start: int, upto: int) -> Focus:
        segment = segments[index] if index < len(segments) else None
        return Focus(segment, anchor, start, upto, preface if index == 0 else ())

    def settle(index: int, start: int, turn: int) -> tuple[int, int]:
        while index < len(segments):
            if any(e.turn >= turn and _matches(e, segments[index]) for e in writes):
                break
            if not refused(focus(index, start, turn)):
                break
            finished.append(Finished(index, "refused", turn, focus(index, start, turn)))
            index, start = index + 1, turn + 1
        return index, start

    index, start = 0, anchor
    for turn in range(anchor, state.turn + 1):
        if turn > anchor and index < len(segments):
            if _declines(state.understood[turn], segments[index]):
                finished.append(Finished(index, "declined", turn, focus(index, start, turn)))
                index, start = index + 1, turn + 1
        index, start = settle(index, start, turn)
        if index < len(segments) and any(e.turn == turn for e in writes):
            finished.append(Finished(index, "done", turn, focus(index, start, turn)))
            index, start = settle(index + 1, turn + 1, turn)
    if index == len(segments):
        # Every request is finished: what follows is read as usual, after the latest write.
        start = max(start, state.last_write_turn + 1)
    return Agenda(anchor, segments, tuple(finished), index, focus(index, start, state.turn))
