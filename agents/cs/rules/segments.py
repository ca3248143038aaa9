"""Splitting one customer message into the requests it carries ("cancel #W1 and return the lamp").

A message is cut into clauses (at punctuation and at connectives such as "and also", 另外,
还有); a clause *opens* a request when it names an account action outright, not negated and not
as a question about the shop's rules. A new request starts where an action of another kind is
opened (a return after a cancellation; an item change and an exchange are one kind), or the
same kind for another order ("cancel #W1 and cancel #W2"); one action naming a list of orders
("cancel #W1 and #W2") is a request per order. Clauses without an action belong to the request
around them (its reason, items, payment method or address), except a refund method, a payer or
a cancellation reason written among the words of a request that takes none, which goes to the one
that does. Words that only name a slot of the request at hand ("pay the difference with my
PayPal", "ship it to …") never open one, so a message with one request is never split. A
clause asking for the same for another order ("Same for #W2", "W2也一样") repeats the request
before it, with its reason; a single address written in the message serves every request that
takes one ("change #W1 and #W2 to …", "… and make it my default address too").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from shopcrew.agents.cs.rules.lexicon import cue
from shopcrew.agents.cs.rules.nlu import (
    STATUS_NEEDED,
    Action,
    Lang,
    Understanding,
    intent_scores,
    is_policy_question,
    understand,
)
from shopcrew.agents.cs.rules.slots import (
    extract_addresses,
    extract_cancel_reason,
    extract_order_ids,
    extract_payment_refs,
)

__all__ = ["RequestSegment", "action_family", "clauses_of", "split_addition", "split_requests"]


@dataclass(frozen=True, slots=True)
class RequestSegment:
    """One request of a message that carries several."""

    action: Action
    """The action the segment opens (an order action or ``user_address``)."""
    text: str
    """The segment's own part of the message."""
    understood: Understanding
    """`understand` of that part, with the segment's action and its order: its own, else the
    one an earlier (or, for the first, a later) request of the message names."""


# The words of these cues are data: `agents/cs/lang/<lang>/cues.yaml`.
_BREAK = cue(
    "clause_connective",
    frame=r"[;!?。；！？:：]\s*|(?<!\b\d)\.(?=\s|$)\s*|(?<!\b\d)[,，、]\s*|"
    # Chinese shoppers punctuate a run-on message with spaces ("都取消 用不上了")
    r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|{}",
)
_LEAD = cue("lead", frame=r"^\s*(?:{}|\d\s*[.)、]|[(（]\d[)）])")
"""A clause that starts with a connective or a list number: what follows is meant as another
request."""
_NEGATED = cue("negated_action")
_PAYMENT_CHANGE = cue("payment_change")
_PAYMENT_CHANGE_AFTER = cue("payment_change_after")
_LIST = cue("list_joiner", frame=r"^\s*(?:{}|&|\+|、)")
_CHANGE_VERB = cue("change_verb")
"""A default-address clause asks for a change only with a verb ("it's also my home address")."""
_SHIPPING = cue("shipping")
_TO_ADDRESS = cue("sent_to", frame=r"{}\s*[:：]?\s*\d{1,6}[A-Za-z]?\s+[A-Za-z]")
"""An order sent to an address that follows ("and #W2 should go to 12 Oak St, …")."""
_ITEM_PHRASE = cue("item_change_phrase", flags=0)
_NAMED_ITEM_CHANGE = cue(
    "changed_into",
    frame=r"(?<![A-Za-z0-9])(?!W\d)[A-Z][A-Za-z-]*(?:\s+[A-Z][A-Za-z-]*){0,2}\s*{}",
    flags=0,
)
"""An item change written out, in words ("switch the Desk Lamp to …") or as a catalog name
before the verb ("Skateboard换成…"), whose cue words alone are weak."""
_ITEM_KINDS = frozenset({"modify_items", "exchange"})
_ADDRESS_KINDS = frozenset({"modify_address", "user_address"})
_REFUND_WORDS = cue("refund_words")
_PAYER_WORDS = cue("payer_words")
_SLOT_FITS: dict[str, frozenset[str]] = {
    "refund": frozenset({"return"}),
    "payer": frozenset({"items", "modify_payment"}),
    "reason": frozenset({"cancel"}),
}
"""Which kinds of request a detail clause can belong to."""


def action_family(action: Action | None) -> str | None:
    """Item changes of a pending order and exchanges of a delivered one are the same request."""
    return "items" if action in _ITEM_KINDS else action


@dataclass(frozen=True, slots=True)
class _Clause:
    start: int
    text: str
    opening: Action | None
    order_ids: tuple[str, ...]


def _clauses(text: str) -> list[_Clause]:
    cuts = sorted({0, *(m.end() for m in _BREAK.finditer(text) if 0 < m.end() < len(text))})
    cuts.append(len(text))
    return [
        _Clause(
            start, text[start:end], _opening(text[start:end]), extract_order_ids(text[start:end])
        )
        for start, end in pairwise(cuts)
        if text[start:end].strip()
    ]


def clauses_of(text: str) -> tuple[tuple[str, Action | None], ...]:
    """The message's clauses as `split_requests` cuts them, each with the action it opens."""
    return tuple((clause.text, clause.opening) for clause in _clauses(text))


_SAME = cue("same_again")
"""A clause that asks for the request before it again, for another order ("… Same for #W2",
"W2也一样")."""


def _repeats(clauses: list[_Clause]) -> tuple[list[_Clause], frozenset[int]]:
    """Open the previous request again where a clause asks for the same for another order.

    Returns:
        The clauses, those repeats now opening that request (an order's shipping address after
        the default address), and their indices.
    """
    last: Action | None = None
    seen: set[str] = set()
    read: list[_Clause] = []
    repeated: set[int] = set()
    for index, clause in enumerate(clauses):
        fresh = set(clause.order_ids) - seen
        if clause.opening is None and last is not None and fresh and _SAME.search(clause.text):
            if not _NEGATED.search(clause.text):
                again: Action = "modify_address" if last == "user_address" else last
                clause = replace(clause, opening=again)
                repeated.add(index)
        last = clause.opening or last
        seen |= set(clause.order_ids)
        read.append(clause)
    return read, frozenset(repeated)


def _opening(clause: str) -> Action | None:
    """The account action a clause asks for outright, or None."""
    ids = extract_order_ids(clause)
    if _NEGATED.search(clause) or (not ids and is_policy_question(clause)):
        return None
    scores = intent_scores(clause)
    # A weaker cue opens a request only where the clause is plainly a new one: after a
    # connective ("另外把…退了") or naming its own order.
    bar = 2.0 if (ids or _LEAD.search(clause)) else 3.0
    if scores.get("user_address", 0.0) >= 3 and _CHANGE_VERB.search(clause):
        return "user_address"
    if scores.get("modify_address", 0.0) >= 3 and (ids or _SHIPPING.search(clause)):
        return "modify_address"
    if ids and _TO_ADDRESS.search(clause):
        return "modify_address"
    if scores.get("modify_address", 0.0) >= 1 and _CHANGE_VERB.search(clause) and bar < 3:
        # "the address on #W2 to …", "另外W2的地址改成…": the address itself follows.
        return "modify_address"
    if _PAYMENT_CHANGE.search(clause) or _PAYMENT_CHANGE_AFTER.search(clause):
        return "modify_payment"
    found: list[tuple[float, Action]] = []
    for action in ("cancel", "return"):
        if scores.get(action, 0.0) >= bar:
            found.append((scores[action], action))
    item = scores.get("modify_items", 0.0) + scores.get("exchange", 0.0)
    written = _ITEM_PHRASE.search(clause) or _NAMED_ITEM_CHANGE.search(clause)
    spelled = bool(written) and not extract_payment_refs(clause)
    if item >= bar or scores.get("exchange", 0.0) >= 3 or (item > 0 and spelled):
        kind: Action = "exchange" if scores.get("exchange", 0.0) >= 2 else "modify_items"
        found.append((item, kind))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]


def _starts_new(clause: _Clause, current: Action, current_ids: set[str]) -> bool:
    assert clause.opening is not None
    if action_family(clause.opening) != action_family(current):
        return True
    ids = set(clause.order_ids)
    return bool(ids) and bool(current_ids) and not ids <= current_ids


def _group(clauses: list[_Clause]) -> list[tuple[Action, list[int]]]:
    """Clause indices of each request, in the order written."""
    groups: list[tuple[Action, list[int]]] = []
    ids: list[set[str]] = []
    since: list[int] = []
    """Clauses after the current request's latest opening clause."""
    for index, clause in enumerate(clauses):
        if clause.opening is None:
            since.append(index)
            continue
        if not groups:
            groups.append((clause.opening, [*since, index]))
            ids.append({o for i in [*since, index] for o in clauses[i].order_ids})
        elif _starts_new(clause, groups[-1][0], ids[-1] | _ids(clauses, since)):
            # "…, and for #W2, return the lamp": from a connective or the other order's id on,
            # the clauses in between already belong to the new request.
            cut = next(
                (
                    n
                    for n, i in enumerate(since)
                    if _LEAD.search(clauses[i].text) or set(clauses[i].order_ids) - ids[-1]
                ),
                len(since),
            )
            groups[-1][1].extend(since[:cut])
            ids[-1] |= _ids(clauses, since[:cut])
            groups.append((clause.opening, [*since[cut:], index]))
            ids.append(_ids(clauses, [*since[cut:], index]))
        else:
            groups[-1][1].extend([*since, index])
            ids[-1] |= _ids(clauses, [*since, index])
        since = []
    if groups:
        groups[-1][1].extend(since)
    return groups


def _ids(clauses: list[_Clause], indices: list[int]) -> set[str]:
    return {o for i in indices for o in clauses[i].order_ids}


def _detail(clause: _Clause) -> str | None:
    """What kind of detail a clause without an action gives, when it fits only some requests."""
    if clause.opening is not None or clause.order_ids:
        return None
    refs = extract_payment_refs(clause.text)
    if refs:
        if _REFUND_WORDS.search(clause.text) or any(r.kind == "original" for r in refs):
            return "refund"
        return "payer" if _PAYER_WORDS.search(clause.text) else None
    return "reason" if extract_cancel_reason(clause.text) else None


def _place_details(clauses: list[_Clause], groups: list[tuple[Action, list[int]]]) -> None:
    """Move a detail clause written among another request's words to the request it fits.

    "Return the boots and exchange the watch for silver; refund to the original method, the
    difference on PayPal": the refund is the return's, the difference the exchange's.
    """
    for home, (action, members) in enumerate(groups):
        for index in list(members):
            kind = _detail(clauses[index])
            if kind is None or action_family(action) in _SLOT_FITS[kind]:
                continue
            fits = [
                g
                for g, (other, other_members) in enumerate(groups)
                if g != home
                and action_family(other) in _SLOT_FITS[kind]
                and not any(_detail(clauses[i]) == kind for i in other_members)
            ]
            if len(fits) == 1:
                members.remove(index)
                groups[fits[0]][1].append(index)


@lru_cache(maxsize=4096)
def split_requests(text: str, lang: Lang = "en") -> tuple[RequestSegment, ...]:
    """The requests a message carries, in the order written; () when it carries fewer than two.

    Args:
        text: The customer's message.
        lang: The conversation's language (for parts with no letters).
    """
    clauses, repeated = _repeats(_clauses(text))
    groups = _group(clauses)
    _place_details(clauses, groups)
    requests = _per_order(clauses, groups)
    if len(requests) < 2:
        return ()
    parts = [
        (action, "".join(clauses[i].text for i in sorted(members)), order)
        for action, members, order in requests
    ]
    own = [(order,) if order else extract_order_ids(part) for _, part, order in parts]
    # One address written for several requests that take one ("ship #W1 and #W2 to …", "… and
    # make it my default address too") serves each of them; clauses cut it into pieces.
    addresses = extract_addresses(text)
    shared = addresses[0] if len(addresses) == 1 else None
    segments: list[RequestSegment] = []
    for index, (action, part, _) in enumerate(parts):
        members = requests[index][1]
        ids = own[index]
        if not ids and action != "user_address":
            # Another request's order, when one order could take both ("return the shoes and
            # exchange the watch from #W1"), not a cancellation's for a return.
            fit = [
                o for (other, _, _), o in zip(parts, own, strict=True) if _same_order(action, other)
            ]
            before = [o for o in fit[:index] if o]
            after = [o for o in fit[index + 1 :] if o]
            ids = before[-1][-1:] if before else after[0][:1] if after else ()
        understood = replace(understand(part, default_lang=lang), action=action, order_ids=ids)
        if shared is not None and action in _ADDRESS_KINDS:
            understood = replace(understood, address=shared)
        if segments and repeated.intersection(members) and understood.reason is None:
            # "…, and #W2 too": the same request, with the same reason.
            understood = replace(understood, reason=segments[-1].understood.reason)
        segments.append(RequestSegment(action, part, understood))
    return tuple(segments)


def _named_for(clauses: list[_Clause], members: list[int]) -> list[str]:
    """Orders the action itself is asked for, in the order written.

    Those in its own clause or in a list joined to it ("cancel #W1 and #W2", "W1和W2都取消"),
    not an order that a detail clause mentions on its way.
    """
    named: list[str] = []
    chained = False
    for position, index in enumerate(members):
        clause = clauses[index]
        listed = bool(_LIST.search(clause.text))
        if clause.opening is not None and listed and position > 0:
            named += [o for o in clauses[members[position - 1]].order_ids if o not in named]
        chained = clause.opening is not None or (chained and listed)
        if chained:
            named += [o for o in clause.order_ids if o not in named]
    return named


def _status_needed(action: Action) -> str | None:
    """The status the action needs; None for an item change (pending or delivered alike)."""
    return None if action_family(action) == "items" else STATUS_NEEDED.get(action)


def _same_order(action: Action, other: Action) -> bool:
    """Whether one order could be meant by both requests (the status each needs agrees)."""
    if other == "user_address":
        return False
    needed = _status_needed(action), _status_needed(other)
    return None in needed or needed[0] == needed[1]


def _per_order(
    clauses: list[_Clause], groups: list[tuple[Action, list[int]]]
) -> list[tuple[Action, list[int], str | None]]:
    """One request per order where one action names several ("cancel #W1 and #W2, …").

    A clause naming one of the orders goes to that order's request; the others (the reason,
    the refund method, a clause naming both) go to every one of them.
    """
    requests: list[tuple[Action, list[int], str | None]] = []
    for action, members in groups:
        ids = _named_for(clauses, sorted(members))
        if len(ids) < 2:
            requests.append((action, members, None))
            continue
        for order_id in ids:
            mine = [
                i
                for i in members
                if len(set(clauses[i].order_ids)) != 1 or clauses[i].order_ids[0] == order_id
            ]
            requests.append((action, mine, order_id))
    return requests


@lru_cache(maxsize=4096)
def split_addition(text: str, lang: Lang = "en") -> tuple[str, RequestSegment] | None:
    """A message that goes on with the request at hand and adds one after a connective.

    "I ordered it by mistake. Also, please return the lamp from #W2": the words before the
    connective (possibly none) belong to the request already under way, the rest is a new one.

    Returns:
        (the words before the connective, the new request), or None.
    """
    clauses, _ = _repeats(_clauses(text))
    groups = _group(clauses)
    if len(groups) != 1:
        return None
    opening = next(i for i, clause in enumerate(clauses) if clause.opening is not None)
    lead = next((i for i in range(opening + 1) if _LEAD.search(clauses[i].text)), None)
    if lead is None:
        return None
    head = "".join(clause.text for clause in clauses[:lead])
    tail = "".join(clause.text for clause in clauses[lead:])
    action = groups[0][0]
    understood = replace(understand(tail, default_lang=lang), action=action)
    return head, RequestSegment(action, tail, understood)
