"""The audit's text rules: absolute and medical claims, contact details, keyword stuffing.

Text is the title and the description joined by a newline, matched after NFKC and
lower-casing. No pattern matches across a newline and the newline bounds words as the end of
a string does, so each rule runs on the title and the description apart, which gives the
same matches and lets each finding point into the field it is in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Final, Literal

from shopcrew.agents.store_manager.audit.contact import contact_spans
from shopcrew.agents.store_manager.audit.findings import DefectCode, DraftFix, Finding, Location
from shopcrew.agents.store_manager.audit.normalize import NormalizedText, Span, remove_spans
from shopcrew.agents.store_manager.audit.vocab import (
    ABSOLUTE_EXCEPTIONS_AFTER_DI_YI,
    ABSOLUTE_EXCEPTIONS_AFTER_ZUI,
    ABSOLUTE_PHRASES_EN,
    ABSOLUTE_TERMS_ZH,
    CJK_FIBRES,
    LATIN_FIBRES,
    MEDICAL_PHRASES_EN,
    MEDICAL_TERMS_ZH,
    MEDICAL_ZH_EXCEPTIONS,
    STUFFING_STOP_WORDS,
)

__all__ = [
    "absolute_claim_spans",
    "audit_text",
    "is_cjk",
    "medical_claim_spans",
    "stuffed_keywords",
    "unstuff_title",
]

SpanRule = Callable[[str], list[Span]]


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _bounded(words: tuple[str, ...]) -> str:
    return f"(?<![a-z0-9])(?:{_alternatives(words)})(?![a-z0-9])"


_ABSOLUTE: Final = re.compile(
    f"(?:{_alternatives(ABSOLUTE_TERMS_ZH)})"
    f"|最(?!{_alternatives(ABSOLUTE_EXCEPTIONS_AFTER_ZUI)})"
    f"|第一(?!{_alternatives(ABSOLUTE_EXCEPTIONS_AFTER_DI_YI)})"
    f"|{_bounded(ABSOLUTE_PHRASES_EN)}"
    r"|(?<![a-z0-9])no\. ?1(?![0-9])"
    r"|#1(?![0-9])"
)
_HUNDRED_PERCENT: Final = "100%"
_FIBRE_AFTER: Final = re.compile(
    f" *(?:{_alternatives(CJK_FIBRES)}|(?:{_alternatives(LATIN_FIBRES)})(?![a-z0-9]))"
)
_FIBRE_BEFORE: Final = re.compile(
    f"(?:{_alternatives(CJK_FIBRES)}|(?<![a-z0-9])(?:{_alternatives(LATIN_FIBRES)})) *\\Z"
)
_MEDICAL: Final = re.compile(
    f"(?:{_alternatives(MEDICAL_TERMS_ZH)})"
    + "".join(
        f"|{re.escape(term)}(?!{_alternatives(after)})"
        for term, after in MEDICAL_ZH_EXCEPTIONS.items()
    )
    + f"|{_bounded(MEDICAL_PHRASES_EN)}"
)
_LATIN_WORD: Final = re.compile(r"[a-z]+")


def absolute_claim_spans(norm: str) -> list[Span]:
    """Every ABSOLUTE_CLAIM match in normalised text, in text order."""
    spans = [Span(m.start(), m.end(), repr(m.group())) for m in _ABSOLUTE.finditer(norm)]
    start = norm.find(_HUNDRED_PERCENT)
    while start >= 0:
        end = start + len(_HUNDRED_PERCENT)
        fibre = _FIBRE_AFTER.match(norm, end) or _FIBRE_BEFORE.search(norm[:start])
        if fibre is None:
            spans.append(Span(start, end, repr(_HUNDRED_PERCENT)))
        start = norm.find(_HUNDRED_PERCENT, end)
    return sorted(spans, key=lambda span: (span.start, span.end))


def medical_claim_spans(norm: str) -> list[Span]:
    """Every MEDICAL_CLAIM match in normalised text (whatever the category), in text order."""
    return [Span(m.start(), m.end(), repr(m.group())) for m in _MEDICAL.finditer(norm)]


def is_cjk(char: str) -> bool:
    """Whether `char` is a CJK Unified Ideograph (U+4E00-U+9FFF)."""
    return "\u4e00" <= char <= "\u9fff"


def stuffed_keywords(norm_title: str) -> list[str]:
    """The keywords a normalised title repeats three times or more, in order of appearance.

    A keyword is a pair of adjacent CJK characters (counted without overlap, as
    `str.count`) or a Latin word of three letters or more other than a stop word.
    """
    found: dict[str, None] = {}
    for index in range(len(norm_title) - 1):
        pair = norm_title[index : index + 2]
        if is_cjk(pair[0]) and is_cjk(pair[1]) and norm_title.count(pair) >= 3:
            found[pair] = None
    words = _LATIN_WORD.findall(norm_title)
    counts = Counter(words)
    for word in words:
        if len(word) >= 3 and word not in STUFFING_STOP_WORDS and counts[word] >= 3:
            found[word] = None
    return list(found)


def _keyword_spans(norm_title: str, keyword: str) -> list[Span]:
    if is_cjk(keyword[0]):
        spans = []
        start = norm_title.find(keyword)
        while start >= 0:
            spans.append(Span(start, start + len(keyword), repr(keyword)))
            start = norm_title.find(keyword, start + len(keyword))
        return spans
    return [
        Span(m.start(), m.end(), repr(keyword))
        for m in _LATIN_WORD.finditer(norm_title)
        if m.group() == keyword
    ]


def unstuff_title(title: str) -> str:
    """A draft title keeping only the first use of every stuffed keyword."""
    while True:
        text = NormalizedText.of(title)
        keywords = stuffed_keywords(text.norm)
        if not keywords:
            return title
        repeats = _keyword_spans(text.norm, keywords[0])[1:]
        title = remove_spans(title, [text.raw_span(s.start, s.end) for s in repeats])


def _scrub(raw: str, rule: SpanRule) -> str:
    """`raw` with every match of `rule` removed, repeated until none is left."""
    while True:
        text = NormalizedText.of(raw)
        spans = rule(text.norm)
        if not spans:
            return raw
        raw = remove_spans(raw, [text.raw_span(s.start, s.end) for s in spans])


_TEXT_RULES: Final[tuple[tuple[DefectCode, SpanRule, str], ...]] = (
    (
        "ABSOLUTE_CLAIM",
        absolute_claim_spans,
        "{label} is an absolute or superlative claim (China's Advertising Law art. 9); "
        "remove it or state a verifiable fact instead.",
    ),
    (
        "MEDICAL_CLAIM",
        medical_claim_spans,
        "{label} is a medical claim, allowed only in the health category; remove it or "
        "describe the product's ordinary use.",
    ),
    (
        "CONTACT_INFO_IN_TEXT",
        contact_spans,
        "a {label} sends buyers off the platform, which the marketplace forbids; remove it "
        "and point buyers to the store chat.",
    ),
)


def audit_text(title: str, description: str | None, *, health: bool) -> list[Finding]:
    """Findings of the text rules and TITLE_KEYWORD_STUFFING for one listing.

    Args:
        title: The raw title.
        description: The raw description, or None.
        health: Whether the listing is in the `health` category (medical claims allowed).

    Returns:
        One finding per match, each pointing into the raw title or description, with a
        draft of that field where the code's matches are removed.
    """
    findings: list[Finding] = []
    fields: list[tuple[Literal["title", "description"], str]] = [("title", title)]
    if description:
        fields.append(("description", description))
    for code, rule, message in _TEXT_RULES:
        if code == "MEDICAL_CLAIM" and health:
            continue
        for field, raw in fields:
            text = NormalizedText.of(raw)
            spans = rule(text.norm)
            if not spans:
                continue
            fix = DraftFix(field, _scrub(raw, rule))
            for span in spans:
                start, end = text.raw_span(span.start, span.end)
                where = Location(field, start=start, end=end, text=raw[start:end])
                findings.append(Finding(code, where, message.format(label=span.label), fix))
    findings.extend(_stuffing(title))
    return findings


def _stuffing(title: str) -> list[Finding]:
    text = NormalizedText.of(title)
    keywords = stuffed_keywords(text.norm)
    if not keywords:
        return []
    fix = DraftFix("title", unstuff_title(title))
    findings = []
    for keyword in keywords:
        spans = _keyword_spans(text.norm, keyword)
        start, end = text.raw_span(spans[2].start, spans[2].end)
        findings.append(
            Finding(
                "TITLE_KEYWORD_STUFFING",
                Location("title", start=start, end=end, text=title[start:end]),
                f"the keyword {keyword!r} appears {len(spans)} times in the title; use each "
                "keyword at most twice and spend the space on attributes buyers search for.",
                fix,
            )
        )
    return findings
