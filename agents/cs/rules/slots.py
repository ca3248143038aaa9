"""Slot extraction for the CS rules model: ids, identity, addresses, reasons, payment references.

Pure functions over strings; values resolved against store data (products, payment methods) take
that data as arguments, so nothing here reads a store. Item and option mentions live in
`items`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from shopcrew.agents.cs.rules.lexicon import cue
from shopcrew.agents.cs.rules.zh_slots import extract_zh_addresses, extract_zh_name

__all__ = [
    "Address",
    "CancelReason",
    "PaymentKind",
    "PaymentRef",
    "extract_address",
    "extract_addresses",
    "extract_amounts",
    "extract_cancel_reason",
    "extract_email",
    "extract_name",
    "extract_name_zip",
    "extract_order_ids",
    "extract_payment_refs",
    "extract_zip",
    "resolve_payment",
    "target_payment",
]

CancelReason = Literal["no longer needed", "ordered by mistake"]
PaymentKind = Literal[
    "credit_card", "paypal", "gift_card", "alipay", "wechat_pay", "huabei", "original", "other"
]


@dataclass(frozen=True, slots=True)
class Address:
    """An address as the τ-bench address tools take it (US, or Chinese: see `zh_slots`)."""

    address1: str
    address2: str
    city: str
    state: str
    zip: str
    country: str = "USA"


@dataclass(frozen=True, slots=True)
class PaymentRef:
    """A payment method as the customer describes it (not yet resolved to an id)."""

    kind: PaymentKind
    brand: str | None = None
    """Card brand, lower case (``visa``, ``mastercard``...), when named."""
    last4: str | None = None
    """The card's last four digits, when named."""
    position: int = 0
    """Where in the message the description starts."""
    negated: bool = False
    """Named as the method to move away from ("instead of my PayPal", "不用PayPal")."""


_ORDER_ID = re.compile(r"(?<![A-Za-z0-9])#?\s?[Ww](\d{7})(?!\d)")
_BARE_ORDER_ID = re.compile(
    r"(?:订单号?|单号|order(?:\s+(?:number|no\.?|id|#))?)\s*(?:是|为|:|：|#)?\s*(\d{7})(?!\d)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_NAME_LEAD = (
    r"(?:my (?:full )?name(?: is|'s)|name\s*[:：]|i am|i'm|im|this is|it's|call me|"
    r"名字是|名字叫|名字[:：]?|姓名是?[:：]?|我叫|我是|本人|\bname)"
)
_NAME = re.compile(_NAME_LEAD + r"\s*([A-Za-z][a-z'-]+)\s+([A-Za-z][a-z'-]+)", re.IGNORECASE)
_NOT_NAMES = frozenset(
    "a an the not just looking trying writing calling here so very really still also going "
    "wondering hoping sorry fine good ok okay back unable hi hello hey dear thanks thank "
    "yes yeah no please order zip code my and".split()
)
_NAME_COMMA = re.compile(
    _NAME_LEAD + r"\s*([A-Za-z][a-z'-]+)\s*[,，]\s*([A-Za-z][a-z'-]+)", re.IGNORECASE
)
_WORD = r"[A-Z][a-z'-]+"
_NAME_ZIP = re.compile(
    rf"(?<![A-Za-z])(?=({_WORD})\s+({_WORD})(?:\s+here)?\s*[,，:：-]?\s*"
    r"(?:(?:and\s+)?(?:my\s+)?(?:zip(?:\s*code)?|postal\s*code|邮编|邮政编码)"
    r"(?:\s*(?:is|是|为))?\s*[:：]?\s*)?(\d{5})(?!\d))"
)
_FIRST_LAST = re.compile(
    r"first\s*name\s*(?:is|:|：)?\s*([A-Za-z][a-z'-]+)\W{1,6}(?:and\s+)?(?:my\s+)?"
    r"(?:last\s*name|surname|family\s*name)\s*(?:is|:|：)?\s*([A-Za-z][a-z'-]+)",
    re.IGNORECASE,
)
_LAST_FIRST = re.compile(
    r"(?:last\s*name|surname|family\s*name)\s*(?:is|:|：)?\s*([A-Za-z][a-z'-]+)\W{1,6}"
    r"(?:and\s+)?(?:my\s+)?first\s*name\s*(?:is|:|：)?\s*([A-Za-z][a-z'-]+)",
    re.IGNORECASE,
)
_ZH_SURNAME_FIRST = re.compile(
    r"姓\s*(?:是|为|[:：])?\s*([A-Za-z][A-Za-z'-]+)\s*[,，、;；]?\s*名(?:字)?\s*(?:是|为|叫|[:：])?\s*"
    r"([A-Za-z][A-Za-z'-]+)"
)
_ZH_NAME_FIRST = re.compile(
    r"(?<!姓)名(?:字)?\s*(?:是|为|叫|[:：])?\s*([A-Za-z][A-Za-z'-]+)\s*[,，、;；]?\s*姓\s*"
    r"(?:是|为|[:：])?\s*([A-Za-z][A-Za-z'-]+)"
)
_ZIP = re.compile(
    r"(?:zip(?:\s*code)?|postal\s*code|postcode|邮编|邮政编码)\D{0,15}?(\d{6}|\d{5})(?!\d)",
    re.IGNORECASE,
)
"""A zip for identification: five digits (US) or a six-digit 邮编."""
_STATE_ZIP = r"(?P<state>[A-Z]{2})\s*(?P<zip>\d{5})(?:-\d{4})?"
_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9_#])(?P<a1>\d{1,6}[A-Za-z]?\s+[A-Za-z0-9][A-Za-z0-9 .'#-]*?)\s*[,，]\s*"
    r"(?:(?P<a2>[A-Za-z0-9 .'#-]+?)\s*[,，]\s*)??"
    r"(?P<city>[A-Za-z][A-Za-z .'-]*?)\s*[,，]\s*"
    + _STATE_ZIP
    + r"(?:\s*[,，]?\s*(?P<country>USA|U\.S\.A\.|US|United States))?"
)
_MISTAKE = cue("reason_mistake")
_NOT_NEEDED = cue("reason_not_needed")
_BRANDS = ("visa", "mastercard", "amex", "american express", "discover", "jcb", "unionpay")
_CARD = re.compile(
    r"(?P<brand>visa|mastercard|master card|amex|american express|discover|jcb|unionpay)?"
    r"[^.,，。;；!?！？\n]{0,24}?"
    r"(?:ending(?: in| with)?|ends(?: in| with)|last (?:four|4)(?: digits)?(?: (?:are|of))?|"
    r"尾号(?:是|为)?|后四位(?:是|为)?)\s*[:：]?\s*(?P<last4>\d{4})(?!\d)",
    re.IGNORECASE,
)
_CARD_AFTER = re.compile(
    r"(?P<last4>\d{4})\s*(?:结尾|的)\s*(?:的)?\s*"
    r"(?P<brand>visa|mastercard|master card|amex|discover)?",
    re.IGNORECASE,
)
_PAYPAL = cue("paypal")
_GIFT = cue("gift_card")
_ALIPAY = cue("alipay")
_WECHAT_PAY = cue("wechat_pay")
_HUABEI = cue("huabei")
_ORIGINAL = cue("original_payment")
_ANY_CARD = cue("any_card")
"""A card named by kind alone ("my credit card", "银行卡"): it resolves when there is one."""
_BRAND_ONLY = re.compile(
    r"(?P<brand>visa|mastercard|master card|amex|american express|discover)", re.IGNORECASE
)
_NEGATORS = cue("instead_of", frame=r"{}\s*" + cue("possessive").pattern + r"?\s*$")
_AMOUNT = re.compile(
    r"(?:[$＄]\s*(?P<a>\d[\d,]*(?:\.\d+)?))|(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?:美元|美金|元|块|dollars?|usd|bucks)",
    re.IGNORECASE,
)


def extract_order_ids(text: str) -> tuple[str, ...]:
    """Order ids in the message, normalised to the store's ``#W1234567``, in order, no repeats."""
    found: list[tuple[int, str]] = [
        (m.start(), "#W" + m.group(1)) for m in _ORDER_ID.finditer(text)
    ]
    found += [(m.start(1), "#W" + m.group(1)) for m in _BARE_ORDER_ID.finditer(text)]
    ordered: list[str] = []
    for _, order_id in sorted(found):
        if order_id not in ordered:
            ordered.append(order_id)
    return tuple(ordered)


def extract_email(text: str) -> str | None:
    """The first email address in the message, lower-cased, or None."""
    match = _EMAIL.search(text)
    return match.group(0).rstrip(".").lower() if match else None


def _labelled_name(text: str) -> tuple[str, str] | None:
    """A name given with its parts labelled ("first name X, last name Y", "姓X，名Y")."""
    for pattern, first_group in (
        (_FIRST_LAST, 1),
        (_LAST_FIRST, 2),
        (_ZH_SURNAME_FIRST, 2),
        (_ZH_NAME_FIRST, 1),
    ):
        match = pattern.search(text)
        if match:
            first, last = match.group(first_group), match.group(3 - first_group)
            return first.capitalize(), last.capitalize()
    return None


def extract_name_zip(text: str) -> tuple[tuple[str, str], str] | None:
    """A bare capitalised two-word name right next to a 5-digit zip ("Ann Lee, 12345"), or None.

    Returns:
        ((first, last), zip) for the first such pair whose words are not greetings or fillers.
    """
    for match in _NAME_ZIP.finditer(text):
        first, last, zip_code = match.group(1), match.group(2), match.group(3)
        if first.lower() in _NOT_NAMES or last.lower() in _NOT_NAMES:
            continue
        return (first, last), zip_code
    return None


def extract_name(text: str) -> tuple[str, str] | None:
    """The customer's (first, last) name when they state it ("my name is…", "我叫…"), or None.

    "Last, First" after a name lead ("my name is Lee, Ann") is read as last name first.
    """
    labelled = _labelled_name(text)
    if labelled is not None:
        return labelled
    for match in _NAME_COMMA.finditer(text):
        last, first = match.group(1), match.group(2)
        if first.lower() not in _NOT_NAMES and last.lower() not in _NOT_NAMES:
            return first.capitalize(), last.capitalize()
    for match in _NAME.finditer(text):
        first, last = match.group(1), match.group(2)
        if first.lower() in _NOT_NAMES or last.lower() in _NOT_NAMES:
            continue
        lead = match.group(0)[: match.start(1) - match.start(0)].lower()
        # A bare "name Olivia Lopez" counts only with capitals, like a name with no lead.
        explicit = ("name" in lead and lead.strip() != "name") or "名" in lead or "叫" in lead
        if not explicit and not (first[0].isupper() and last[0].isupper()):
            continue
        return first.capitalize(), last.capitalize()
    return extract_zh_name(text)


def extract_zip(text: str) -> str | None:
    """A zip code the customer gives for identification ("zip 12345", "邮编 12345"), or None."""
    match = _ZIP.search(text)
    return match.group(1) if match else None


def extract_address(text: str) -> Address | None:
    """A full address, or None.

    A US address is written ``address1, [address2,] city, ST 12345[, USA]``; a Chinese one
    from the province down with its 邮编 (``浙江省杭州市西湖区文三路100号3幢501，邮编310012``).
    """
    match = _ADDRESS.search(text)
    if match is None:
        chinese = extract_zh_addresses(text)
        return Address(**chinese[0]) if chinese else None
    return Address(
        address1=match.group("a1").strip(),
        address2=(match.group("a2") or "").strip(),
        city=match.group("city").strip(),
        state=match.group("state"),
        zip=match.group("zip"),
    )


def extract_addresses(text: str) -> tuple[Address, ...]:
    """Every distinct full address of the text, in the order written."""
    found: list[Address] = []
    for match in _ADDRESS.finditer(text):
        address = extract_address(match.group(0))
        if address is not None and address not in found:
            found.append(address)
    return tuple(found) + tuple(Address(**fields) for fields in extract_zh_addresses(text))


def extract_cancel_reason(text: str) -> CancelReason | None:
    """Map the customer's words to a τ-bench cancellation reason, or None when none is said."""
    if _MISTAKE.search(text):
        return "ordered by mistake"
    if _NOT_NEEDED.search(text):
        return "no longer needed"
    return None


def extract_amounts(text: str) -> tuple[float, ...]:
    """Money amounts written with a currency sign or word (``$12.50``, ``500美元``)."""
    values = []
    for match in _AMOUNT.finditer(text):
        raw = (match.group("a") or match.group("b")).replace(",", "")
        values.append(float(raw))
    return tuple(values)


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATORS.search(text[max(0, start - 24) : start]))


def _brand(raw: str | None) -> str | None:
    if not raw:
        return None
    brand = raw.lower().replace("master card", "mastercard")
    return "amex" if brand == "american express" else brand


def extract_payment_refs(text: str) -> tuple[PaymentRef, ...]:
    """Every payment method the message describes, in order of appearance."""
    refs: list[PaymentRef] = []
    covered: list[tuple[int, int]] = []
    cards: list[tuple[int, int]] = []
    for match in _CARD.finditer(text):
        window_start = max(0, match.start("last4") - 30)
        before = _BRAND_ONLY.search(text[window_start : match.start("last4")])
        after = _BRAND_ONLY.search(text[match.end() : match.end() + 12])
        found = before or after
        brand = _brand(found.group("brand")) if found else None
        position = window_start + before.start() if before else match.start("last4")
        last4 = match.group("last4")
        refs.append(PaymentRef("credit_card", brand, last4, position, _negated(text, position)))
        covered.append((match.start(), match.end()))
        cards.append((window_start + before.start() if before else match.start(), match.end()))
    kinds: tuple[tuple[re.Pattern[str], PaymentKind], ...] = (
        (_PAYPAL, "paypal"),
        (_GIFT, "gift_card"),
        (_ALIPAY, "alipay"),
        (_WECHAT_PAY, "wechat_pay"),
        (_HUABEI, "huabei"),
        (_ORIGINAL, "original"),
    )
    for pattern, kind in kinds:
        for match in pattern.finditer(text):
            refs.append(PaymentRef(kind, None, None, match.start(), _negated(text, match.start())))
            covered.append((match.start(), match.end()))
    for match in _BRAND_ONLY.finditer(text):
        if any(start - 24 <= match.start() <= end + 12 for start, end in covered):
            continue
        refs.append(
            PaymentRef(
                "credit_card",
                _brand(match.group("brand")),
                None,
                match.start(),
                _negated(text, match.start()),
            )
        )
        cards.append((match.start(), match.end()))
    for match in _ANY_CARD.finditer(text):
        # "my visa credit card ending in 1234" is one card, already found by its details.
        if any(start - 24 <= match.start() <= end + 12 for start, end in cards):
            continue
        refs.append(
            PaymentRef("credit_card", None, None, match.start(), _negated(text, match.start()))
        )
    return tuple(sorted(refs, key=lambda ref: ref.position))


def target_payment(refs: tuple[PaymentRef, ...]) -> PaymentRef | None:
    """The method the customer wants used: the last one not named as the one to move away from."""
    wanted = [ref for ref in refs if not ref.negated]
    return wanted[-1] if wanted else None


def resolve_payment(
    ref: PaymentRef,
    methods: Mapping[str, Mapping[str, Any]],
    *,
    original_id: str | None = None,
) -> str | None:
    """The id of the one payment method of the customer's that fits the description, or None.

    Args:
        ref: The description.
        methods: The customer's ``payment_methods`` as in ``get_user_details``.
        original_id: The order's original payment method, for "the original payment method".

    Returns:
        The method id when exactly one fits, else None (none or several fit).
    """
    if ref.kind == "original":
        return original_id if original_id in methods else None
    fits = []
    for method_id, method in methods.items():
        if method.get("source") != ref.kind:
            continue
        if ref.last4 is not None and str(method.get("last_four")) != ref.last4:
            continue
        if ref.brand is not None and str(method.get("brand", "")).lower() != ref.brand:
            continue
        fits.append(method_id)
    return fits[0] if len(fits) == 1 else None
