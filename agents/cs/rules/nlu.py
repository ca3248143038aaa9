"""Language understanding of the CS rules model: language, intents and slots of one message.

Intents are scored from weighted cue phrases (`lexicon`): English over normalised lower-case
text, Chinese over the text and its jieba tokens. A message can carry several signals at once
(identification, a request, an injected "system" note), so `understand` returns them all and the
dialogue policy (`dialogue`) decides what to do with them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Literal

import jieba

from shopcrew.agents.cs.language import Lang, detect_language
from shopcrew.agents.cs.rules.acts import ActReading, read_act
from shopcrew.agents.cs.rules.lexicon import LanguageData, cue, language_data, languages
from shopcrew.agents.cs.rules.slots import (
    Address,
    CancelReason,
    PaymentRef,
    extract_address,
    extract_amounts,
    extract_cancel_reason,
    extract_email,
    extract_name,
    extract_name_zip,
    extract_order_ids,
    extract_payment_refs,
    extract_zip,
)
from shopcrew.agents.cs.rules.spelling import mend_typos
from shopcrew.agents.cs.rules.zh_slots import extract_phone

__all__ = [
    "ACTIONS",
    "STATUS_NEEDED",
    "Action",
    "Lang",
    "OrderQuestion",
    "Understanding",
    "cue_spots",
    "detect_language",
    "detect_yes_no",
    "faq_topics",
    "intent_scores",
    "is_policy_question",
    "understand",
]

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

Action = Literal[
    "cancel",
    "modify_items",
    "modify_address",
    "modify_payment",
    "return",
    "exchange",
    "user_address",
    "status",
]
ACTIONS: tuple[Action, ...] = (
    "cancel",
    "modify_items",
    "modify_address",
    "modify_payment",
    "return",
    "exchange",
    "user_address",
    "status",
)
OrderQuestion = Literal["status", "tracking", "amount"]
STATUS_NEEDED: dict[str, str] = {
    "cancel": "pending",
    "modify_items": "pending",
    "modify_address": "pending",
    "modify_payment": "pending",
    "return": "delivered",
    "exchange": "delivered",
}
"""The order status each order action needs (the τ-bench retail rules)."""

_CJK = re.compile(r"[\u4e00-\u9fff]")
# The words of these cues are data: `agents/cs/lang/<lang>/cues.yaml`.
_YES_OPENING = cue("yes_opening", frame="^{}")
_YES_ANYWHERE = cue("yes_anywhere")
_NO_OPENING = cue("no_opening", frame="^{}")
_NO_ANYWHERE = cue("no_anywhere")
_TRACKING = cue("tracking")
_AMOUNT_Q = cue("amount_question")
_QUESTION_MARK = cue("asks_when", frame="[?？]|{}", flags=0)
_PAY_CHANGE_HINT = cue("pay_change_hint", flags=0)
_ACT_REQUEST = cue("act_request")
_POLICY_ASK = cue("policy_question")


_UNREAD = ActReading("account", 0.0)


@dataclass(frozen=True, slots=True)
class Understanding:
    """Everything the rules model reads from one customer message.

    Immutable all through (tuples, a read-only mapping): `understand` caches it, and every
    caller of the same text shares one instance.
    """

    lang: Lang
    scores: Mapping[str, float]
    """Score per intent (only intents with a cue present); read-only."""
    act: ActReading = _UNREAD
    """What the message does (`acts`): a policy question, an account request, thanks..."""
    action: Action | None = None
    """The account action asked for, if any."""
    order_question: OrderQuestion | None = None
    """For ``action == "status"``: what about the order they ask."""
    yes_no: bool | None = None
    """True for an explicit yes, False for a no, None for neither."""
    wants_human: bool = False
    refund_only: bool = False
    complaint: bool = False
    injection: bool = False
    asks_action: bool = False
    """The message asks for an account action outright ("I'd like to return…"), not about the
    shop's rules: the request flow starts rather than a knowledge-base answer."""
    refuses_identify: bool = False
    faq: tuple[str, ...] = ()
    """Knowledge-base topics asked about, best first."""
    order_ids: tuple[str, ...] = ()
    email: str | None = None
    name: tuple[str, str] | None = None
    zip: str | None = None
    phone: str | None = None
    """A mobile number given to identify: its last four digits or all eleven."""
    address: Address | None = None
    reason: CancelReason | None = None
    payments: tuple[PaymentRef, ...] = ()
    amounts: tuple[float, ...] = ()


def _normalise_en(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").lower()
    return re.sub(r"\s+", " ", text)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + pattern + r")(?![a-z0-9])")


def _tokens(text: str) -> frozenset[str]:
    return frozenset(token for token in jieba.lcut(text) if token.strip())


def _matches(
    data: LanguageData, word: str, text: str, lowered: str, tokens: frozenset[str]
) -> bool:
    if data.cue_style == "words":
        return bool(_compiled(word).search(lowered))
    return word in text or word in tokens


@dataclass(frozen=True, slots=True)
class _Reading:
    """A message prepared for cue matching: mended text, lower-cased text and jieba tokens."""

    text: str
    lowered: str
    tokens: frozenset[str]


def _reading(text: str) -> _Reading:
    mended = mend_typos(text)
    tokens = _tokens(mended) if _CJK.search(mended) else frozenset()
    return _Reading(mended, _normalise_en(mended), tokens)


def intent_scores(text: str) -> dict[str, float]:
    """Score every intent whose cues occur in the message (every language's cues are tried)."""
    scores: dict[str, float] = {}
    reading = _reading(text)
    for lang in languages():
        data = language_data(lang)
        if data.cue_style == "chars" and not reading.tokens:
            continue
        for intent, cues in data.intents.items():
            for word, weight in cues:
                if _matches(data, word, reading.text, reading.lowered, reading.tokens):
                    scores[intent] = scores.get(intent, 0.0) + weight
    if _PAY_CHANGE_HINT.search(reading.text):
        scores["modify_payment"] = scores.get("modify_payment", 0.0) + 2
    return scores


def cue_spots(intent: str, text: str, *, min_weight: float) -> list[int]:
    """Where the intent's cues of at least `min_weight` start in the (mended, lower-cased) text."""
    reading = _reading(text)
    spots: list[int] = []
    for lang in languages():
        data = language_data(lang)
        for word, weight in data.intents.get(intent, ()):
            if weight < min_weight:
                continue
            if data.cue_style == "words":
                spots += [match.start() for match in _compiled(word).finditer(reading.lowered)]
            elif word in reading.lowered:
                spots.append(reading.lowered.find(word))
    return spots


def _corrected_order_ids(text: str) -> tuple[str, ...]:
    """The order ids of a message, without those it takes back ("W1, no wait, I mean W2")."""
    ids = extract_order_ids(text)
    if len(ids) < 2:
        return ids
    reading = _reading(text)
    last = -1
    for lang in languages():
        data = language_data(lang)
        for word in data.corrections:
            if data.cue_style == "words":
                found = [m.start() for m in _compiled(word).finditer(reading.lowered)]
            else:
                found = [m.start() for m in re.finditer(re.escape(word), reading.lowered)]
            last = max([last, *found])
    if last < 0:
        return ids
    after = extract_order_ids(reading.lowered[last:])
    return after if after and len(after) < len(ids) else ids


def faq_topics(text: str) -> tuple[str, ...]:
    """Knowledge-base topics the message asks about, most cues first."""
    reading = _reading(text)
    counts: dict[str, int] = {}
    for lang in languages():
        data = language_data(lang)
        for topic, cues in data.faq.items():
            hits = sum(
                1
                for cue in cues
                if _matches(data, cue, reading.text, reading.lowered, frozenset())
                or (data.cue_style == "chars" and cue in reading.lowered)
            )
            if hits:
                counts[topic] = counts.get(topic, 0) + hits
    return tuple(sorted(counts, key=lambda topic: -counts[topic]))


def is_policy_question(text: str) -> bool:
    """Whether the text asks about the shop's rules ("what is…", "can I…", "能不能…吗")."""
    return bool(_POLICY_ASK.search(text))


def detect_yes_no(text: str) -> bool | None:
    """True for an explicit yes, False for a no or a retraction, None otherwise."""
    stripped = text.strip().lstrip("，,。.!！ ")
    if _NO_OPENING.search(stripped) or _NO_ANYWHERE.search(stripped):
        return False
    if _YES_OPENING.search(stripped) or _YES_ANYWHERE.search(stripped):
        return True
    return None


def _wants_human(text: str, scores: Mapping[str, float], act: ActReading) -> bool:
    """A request for a person: a request verb, or a bare "human"/"人工客服" said on its own.

    Phrasings the cues miss ("能不能让人工客服来处理？") are read by the act classifier.
    """
    score = scores.get("human", 0.0)
    if score >= 4 or act.says("person", at_least=0.7):
        return True
    if score > 0 and act.says("person"):
        return True
    bare = re.sub(r"[\s,，。.!！]+", "", text)
    return score >= 2 and len(bare) <= 16 and not _QUESTION_MARK.search(text)


def _action(scores: Mapping[str, float], text: str, has_address: bool) -> Action | None:
    candidates: dict[Action, float] = {a: scores[a] for a in ACTIONS if scores.get(a, 0.0) > 0}
    if has_address and "user_address" not in candidates:
        # A whole address written out is itself a strong sign of an address change.
        candidates["modify_address"] = candidates.get("modify_address", 0.0) + 2
    if "user_address" in candidates and candidates["user_address"] >= 4:
        return "user_address"
    if "modify_address" in candidates and candidates["modify_address"] >= 3:
        return "modify_address"
    strong = {action for action, score in candidates.items() if score >= 3}
    if candidates.get("modify_payment", 0) >= 3 and not {"return", "exchange", "cancel"} & strong:
        item_change = candidates.get("modify_items", 0) + candidates.get("exchange", 0)
        if item_change < 3:
            return "modify_payment"
    candidates.pop("modify_payment", None)
    candidates.pop("modify_address", None)
    candidates.pop("user_address", None)
    if not candidates:
        return None
    best = max(candidates, key=lambda action: (candidates[action], -ACTIONS.index(action)))
    if candidates[best] < 2 and best == "modify_items":
        return None
    return best


@lru_cache(maxsize=8192)
def understand(text: str, *, default_lang: Lang = "en") -> Understanding:
    """Read one customer message: its language, intents and slots.

    Cached by text and default language: the rules model reads the whole conversation on
    every call, so each earlier message would otherwise be parsed again at every step.

    Args:
        text: The message.
        default_lang: The conversation's language, for messages with no letters.

    Returns:
        The understanding; the dialogue policy combines it with the conversation so far.
    """
    scores = intent_scores(text)
    act = read_act(text)
    address = extract_address(text)
    action = _action(scores, text, address is not None)
    refund_only = scores.get("refund_only", 0.0) >= 4 or (
        scores.get("refund_only", 0.0) >= 3 and "refund" in _normalise_en(text)
    )
    question: OrderQuestion | None = None
    if action == "status":
        if _TRACKING.search(text):
            question = "tracking"
        elif _AMOUNT_Q.search(text) and scores.get("status", 0) >= 4:
            question = "amount"
        else:
            question = "status"
    zip_code = extract_zip(text)
    if zip_code is not None and address is not None and zip_code == address.zip:
        labelled = ("邮编" in text or "zip" in text.lower()[:40]) and address.country != "中国"
        zip_code = zip_code if labelled else None
    name = extract_name(text)
    bare = extract_name_zip(text)
    if bare is not None and not (address is not None and bare[1] == address.zip):
        name = name or bare[0]
        zip_code = zip_code or bare[1]
    return Understanding(
        lang=detect_language(text, default=default_lang),
        scores=MappingProxyType(scores),
        act=act,
        action=action,
        order_question=question,
        yes_no=detect_yes_no(text),
        wants_human=_wants_human(text, scores, act),
        refund_only=refund_only,
        complaint=scores.get("complaint", 0.0) >= 3,
        injection=scores.get("injection", 0.0) >= 4,
        asks_action=(
            action is not None
            and action != "status"
            and bool(_ACT_REQUEST.search(_normalise_en(text)))
            and not _POLICY_ASK.search(text)
        ),
        refuses_identify=scores.get("refuse_identify", 0.0) >= 3,
        faq=faq_topics(text),
        order_ids=_corrected_order_ids(text),
        email=extract_email(text),
        name=name,
        zip=zip_code,
        phone=extract_phone(text),
        address=address,
        reason=extract_cancel_reason(text),
        payments=extract_payment_refs(text),
        amounts=extract_amounts(text),
    )
