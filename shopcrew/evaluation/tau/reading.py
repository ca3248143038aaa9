"""How the offline simulated customer reads the CS agent's replies.

`read_reply` tells what a reply does (reports a change done or failed, proposes a change and
asks for a yes, refuses, transfers, asks for details, greets); `judge_proposal` checks a
proposed change against a goal step and names the first thing that differs. Both work on the
reply's text only, with cues any agent's English wording would carry, not the rules model's
exact templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from shopcrew.evaluation.tau.goal import GoalStep, PaymentGoal, StepKind, TauGoal

__all__ = ["ProposalMismatch", "Reading", "Slot", "judge_proposal", "proposal_kind", "read_reply"]

Slot = Literal["identity", "order", "items", "new_options", "payment", "reason", "address"]
"""A detail the agent can ask the customer for."""
ProposalMismatch = Literal["kind", "order", "items", "new_options", "payment", "reason", "address"]
"""What of a proposal differs from the customer's goal."""


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_TRANSFER = _cue(
    r"(?:i(?:'ve| have)|i'm|i am|now|will be) transferr?(?:ed|ing) you",
    r"you(?:'ve| have)? been transferred",
    r"transferring you (?:to|now)",
    r"(?:i(?:'ve| have)|i'm|i am) connect(?:ed|ing) you (?:to|with) (?:a |an )?(?:human|person)",
)
_DONE = _cue(
    r"\bdone\b",
    r"successful(?:ly)?",
    r"has been (?:cancel+ed|returned|exchanged|modified|updated|changed|processed|submitted|"
    r"requested|placed|initiated)",
    r"(?:is|are) now (?:cancel+ed|updated|changed|modified)",
    r"i(?:'ve| have) (?:cancel+ed|updated|changed|modified|processed|submitted|placed|initiated)",
    r"the change is made",
    r"(?:is|was|has been) (?:now )?(?:complete|completed|processed)\b",
    r"(?:return|exchange) (?:request )?(?:is|has been) (?:in|submitted|placed|created)",
)
_FAILED = _cue(
    r"did ?n[o']t go through",
    r"\berror\b",
    r"\bfailed\b",
    r"could(?: not|n't) (?:complete|process|be completed)",
    r"was not (?:successful|completed)",
)
_CONFIRM = _cue(
    r"shall i\b",
    r"should i (?:go ahead|proceed|do)",
    r"would you like me to",
    r"do you want me to",
    r"(?:reply|answer|say|respond(?: with)?) ['\"“]?yes",
    r"\bconfirm\b(?! your identity)(?! who)",
    r"is (?:that|this) (?:correct|right|ok(?:ay)?)\?",
    r"(?:go ahead|proceed)\s*\?",
    r"do you (?:agree|approve)",
    r"can i (?:go ahead|proceed)",
)
_IDENTITY_FAILED = _cue(
    r"could(?: not|n't) find (?:an|your|any) (?:account|user)",
    r"no (?:account|user) (?:found|matches|with)",
    r"unable to (?:find|locate) (?:an|your) account",
)
_REFUSAL = _cue(
    r"^\W*(?:sorry|unfortunately|i apologi[sz]e|i'm afraid)",
    r"\bi (?:can(?:no|')t|am unable to|'m unable to|am not able to|won't be able to)\b",
)
_ASKS: Final[tuple[tuple[Slot, re.Pattern[str]], ...]] = (
    (
        "identity",
        _cue(
            r"e-?mail",
            r"zip(?: code)? (?:of|on|for) your",
            r"your zip",
            r"first name",
            r"last name",
            r"verify (?:your )?identity",
            r"authenticat",
            r"identify you",
            r"your (?:full )?name",
        ),
    ),
    (
        "order",
        _cue(
            r"which (?:of your )?orders?\b",
            r"what order",
            r"order (?:id|number)",
            r"which one of your orders",
        ),
    ),
    (
        "items",
        _cue(
            r"which (?:of the )?(?:items?|products?|ones?)",
            r"what (?:items?|products?)",
            r"items? (?:do you|would you like)",
            r"what would you like to (?:return|exchange|change|modify)",
        ),
    ),
    (
        "new_options",
        _cue(
            r"which (?:new )?options",
            r"what (?:new )?options",
            r"would you like instead",
            r"(?:like|want) (?:it|them) (?:to be|changed to|exchanged for|swapped for)",
            r"new (?:colou?r|size|option|variant|version)",
        ),
    ),
    (
        "payment",
        _cue(
            r"payment method",
            r"which (?:card|account)",
            r"(?:pay|charge)(?: for)? the (?:price )?difference",
            r"refund (?:to )?(?:go|be sent|be issued|be credited)",
            r"which (?:payment|method)",
            r"original payment",
            r"how would you like to (?:pay|be refunded)",
        ),
    ),
    ("reason", _cue(r"\bwhy\b", r"\breason\b")),
    (
        "address",
        _cue(
            r"(?:new|full|complete|correct) (?:shipping |delivery )?address",
            r"address line",
            r"what address",
            r"which address",
        ),
    ),
)
_GREETING = _cue(
    r"how (?:can|may) i help",
    r"anything else",
    r"what can i (?:do|help)",
    r"help you with",
    r"what brings you",
)
_KINDS: Final[tuple[tuple[StepKind, re.Pattern[str]], ...]] = (
    ("exchange", _cue(r"\bexchang\w*")),
    ("return", _cue(r"\breturn(?:ing|ed)?\b")),
    ("cancel", _cue(r"\bcancel\w*")),
    ("user_address", _cue(r"(?:default|account|profile|home)(?:'s)? (?:shipping )?address")),
    (
        "modify_address",
        _cue(
            r"(?:shipping|delivery) address",
            r"address (?:of|for|on) (?:your |the )?order",
            r"ship (?:it|the order) to",
        ),
    ),
    (
        "modify_payment",
        _cue(
            r"(?:change|switch|update|move) (?:the |your )?payment",
            r"payment (?:method )?(?:of|for|on) (?:your |the )?order",
        ),
    ),
    (
        "modify_items",
        _cue(
            r"\b(?:modify|modif(?:y|ied|ying|ication)|change|switch|swap|update)\b"
            r"(?!\s+(?:the\s+|your\s+)?(?:shipping |delivery |default )?(?:address|payment))"
        ),
    ),
)
_ITEM_CHANGES: Final = frozenset({"modify_items", "exchange"})
_ORDER_ID = re.compile(r"#?W\d{7}\b")
_ZIP = re.compile(r"(?<!\d)\d{5}(?!\d)")
_SOURCES: Final = (
    ("paypal", _cue(r"pay ?pal")),
    ("gift_card", _cue(r"gift ?card")),
    ("credit_card", _cue(r"credit card", r"\bvisa\b", r"mastercard", r"\bamex\b", r"discover")),
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one reply of the agent does."""

    transferred: bool = False
    done: bool = False
    failed: bool = False
    proposal: bool = False
    identity_failed: bool = False
    refusal: bool = False
    asks: tuple[Slot, ...] = field(default_factory=tuple)
    greeting: bool = False


_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")
_REQUEST = re.compile(
    r"^\W*(?:please|kindly|could you|can you|would you|will you|may i|let me know|tell me|"
    r"provide|i(?:'ll| will)?(?: still)? need|to go on,? i need|one more thing|"
    r"first,? (?:please|i need|could you))\b",
    re.IGNORECASE,
)


def _requests(text: str) -> str:
    """The reply's sentences that ask something (a question, or a request to the customer)."""
    asked = [
        sentence.group(0)
        for sentence in _SENTENCE.finditer(text)
        if sentence.group(0).rstrip().endswith("?") or _REQUEST.search(sentence.group(0))
    ]
    return " ".join(asked)


def read_reply(text: str) -> Reading:
    """Read what the agent's reply does (several flags can hold at once).

    Details count as asked for only in questions and requests ("Which order...?", "Please
    give me..."), not in statements such as a help article's description of a policy.
    """
    requests = _requests(text)
    asks = tuple(slot for slot, pattern in _ASKS if pattern.search(requests))
    identity_failed = bool(_IDENTITY_FAILED.search(text))
    proposal = bool(_CONFIRM.search(text)) and "identity" not in asks and not identity_failed
    return Reading(
        transferred=bool(_TRANSFER.search(text)),
        done=bool(_DONE.search(text)) and not proposal,
        failed=bool(_FAILED.search(text)) and not proposal,
        proposal=proposal,
        identity_failed=identity_failed,
        refusal=bool(_REFUSAL.search(text)),
        asks=asks,
        greeting=bool(_GREETING.search(text)),
    )


def proposal_kind(text: str) -> StepKind | None:
    """The kind of change a proposal is about: the earliest cue wins, specific ones on a tie."""
    best: tuple[int, int, StepKind] | None = None
    for rank, (kind, pattern) in enumerate(_KINDS):
        match = pattern.search(text)
        if match is not None and (best is None or (match.start(), rank) < best[:2]):
            best = (match.start(), rank, kind)
    return None if best is None else best[2]


def _compatible(said: StepKind | None, wanted: StepKind) -> bool:
    if said is None or said == wanted:
        return True
    # Whether an item change is a modification or an exchange depends on the order's status,
    # which the agent knows; the customer only wants the item changed.
    return said in _ITEM_CHANGES and wanted in _ITEM_CHANGES


def _has(text: str, phrase: str) -> bool:
    pattern = r"(?<![A-Za-z0-9])" + re.escape(phrase) + r"(?![A-Za-z0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _count(text: str, phrase: str) -> int:
    pattern = r"(?<![A-Za-z0-9])" + re.escape(phrase) + r"(?![A-Za-z0-9])"
    return len(re.findall(pattern, text, re.IGNORECASE))


def _items_differ(text: str, step: GoalStep) -> bool:
    named = {name for name in step.order_items if _has(text, name)}
    wanted = {item.name for item in step.items}
    if named and named != wanted:
        return True
    for item in step.items:
        said = _count(text, item.name)
        copies = sum(i.copies for i in step.items if i.name == item.name)
        if (item.copies_in_order > 1 or item.name_shared) and said > copies:
            return True
        if copies > 1 and said < copies and not _counted(text, item.name, copies):
            return True
    return False


def _counted(text: str, name: str, copies: int) -> bool:
    """Whether the text says how many copies of `name` ("both", "2 x", "three ...")."""
    words = {2: "two|both", 3: "three", 4: "four", 5: "five"}.get(copies, "")
    number = rf"(?:{words}|{copies})" if words else str(copies)
    pattern = number + r"\s*(?:x\s*|of (?:the |your )?)?" + re.escape(name)
    return re.search(pattern, text, re.IGNORECASE) is not None


_NOT_A_VALUE = re.compile(r"^(?:from|to|and|the|of|for|with|instead|is|as)\b", re.IGNORECASE)


def _stated_options(text: str, keys: Iterable[str]) -> Iterable[tuple[str, str]]:
    """``(key, value)`` pairs written ``key value`` / ``key: value``; a longer key wins."""
    taken: list[tuple[int, int]] = []
    for key in sorted(keys, key=len, reverse=True):
        pattern = (
            r"(?<![A-Za-z])" + re.escape(key) + r"(?![A-Za-z])\s*(?::|=|\bis\b)?\s*([^,;()\n]+)"
        )
        for match in re.finditer(pattern, text, re.IGNORECASE):
            span = (match.start(), match.start() + len(key))
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            taken.append(span)
            head = re.split(r"\s+(?:to|and|for|with|from|instead)\b", match.group(1))[0]
            value = head.strip().lower()
            if value and not _NOT_A_VALUE.match(value):
                yield key, value


def _options_differ(text: str, step: GoalStep) -> bool:
    allowed: dict[str, set[str]] = {}
    for item in step.items:
        if item.new_options is None:
            continue
        if any(not _has(text, value) for value in item.changed.values()):
            return True
        for key, value in [*item.options.items(), *item.new_options.items()]:
            allowed.setdefault(key.lower(), set()).add(value.lower())
    return any(
        not any(value.startswith(known) for known in allowed[key])
        for key, value in _stated_options(text, allowed)
    )


def _payment_differs(text: str, step: GoalStep, methods: Iterable[PaymentGoal]) -> bool:
    goal = step.payment
    if goal is None:
        return False
    known = list(methods)
    old = set(step.order_method_ids) if step.kind == "modify_payment" else set()
    ids = {m.method_id for m in known if m.method_id in text}
    if ids:
        return goal.method_id not in ids or bool(ids - {goal.method_id} - old)
    # A payment change names the method it replaces too ("...to PayPal; your Visa ending in
    # 1234 gets it back"): only the methods it does not replace say where the money goes.
    digits = {
        m.method_id
        for m in known
        if m.last_four and _has(text, m.last_four) and m.method_id not in old
    }
    if digits:
        return goal.method_id not in digits
    named = {source for source, pattern in _SOURCES if pattern.search(text)}
    if step.kind == "modify_payment":
        return bool(named) and goal.source not in named
    if len(named) == 1 and goal.source not in named:
        return True
    return bool(re.search(r"original payment", text, re.IGNORECASE)) and not (
        goal.original or goal.source in named
    )


_MONEY_KINDS: Final = frozenset({"return", "exchange", "modify_payment", "modify_items"})
_NO_MONEY: Final = re.compile(
    r"price stays the same|no price difference|same price|nothing to pay", re.IGNORECASE
)
"""A change that moves no money: where money would go is then no detail left out."""


def _left_out(text: str, step: GoalStep, goal: TauGoal) -> ProposalMismatch | None:
    """The first detail the customer wants that the proposal does not state at all."""
    if step.order_id is not None and step.order_id.lstrip("#") not in text:
        return "order"
    if step.items and not any(_has(text, item.name) for item in step.items):
        return "items"
    payment = step.payment
    no_money = _NO_MONEY.search(text) is not None
    if payment is not None and not payment.foreign and step.kind in _MONEY_KINDS and not no_money:
        known = goal.methods.values()
        named = (
            any(m.method_id in text for m in known)
            or any(m.last_four and _has(text, m.last_four) for m in known)
            or any(pattern.search(text) for _, pattern in _SOURCES)
            or re.search(r"original payment", text, re.IGNORECASE) is not None
        )
        if not named:
            return "payment"
    if step.reason is not None and not re.search(
        r"no longer needed|ordered by mistake", text, re.IGNORECASE
    ):
        return "reason"
    if step.address is not None and step.address.zip not in text:
        return "address"
    return None


def _reason_differs(text: str, step: GoalStep) -> bool:
    if step.reason is None:
        return False
    said = [
        reason
        for reason in ("no longer needed", "ordered by mistake")
        if re.search(reason, text, re.IGNORECASE)
    ]
    return bool(said) and step.reason not in said


def _address_differs(text: str, step: GoalStep) -> bool:
    goal = step.address
    if goal is None:
        return False
    zips = set(_ZIP.findall(text))
    if not zips:
        return False
    return goal.zip not in zips or not _has(text, goal.address1)


def judge_proposal(text: str, step: GoalStep, goal: TauGoal) -> ProposalMismatch | None:
    """The first thing a proposed change gets wrong for `step`, or None when it fits.

    A detail it states differently is held against it, and so is one it leaves out (the
    order, the items, where money goes or comes from, the cancel reason, the new address): a
    customer does not say yes to a change whose details they cannot see. The checks: the kind
    of change, the order, the items (and how many copies), the options wanted, the payment
    method, the cancel reason and the address.
    """
    if not _compatible(proposal_kind(text), step.kind):
        return "kind"
    ids = {"#" + found.lstrip("#") for found in _ORDER_ID.findall(text)}
    if step.order_id is not None and ids and ids != {step.order_id}:
        return "order"
    if step.items and _items_differ(text, step):
        return "items"
    if step.kind in _ITEM_CHANGES and _options_differ(text, step):
        return "new_options"
    if step.kind != "cancel" and _payment_differs(text, step, goal.methods.values()):
        return "payment"
    if _reason_differs(text, step):
        return "reason"
    if _address_differs(text, step):
        return "address"
    return _left_out(text, step, goal)
