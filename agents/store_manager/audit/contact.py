"""CONTACT_INFO_IN_TEXT: phone numbers, e-mail, WeChat and QQ ids in a listing's text.

Every pattern runs on normalised text (NFKC, lower case), per `LISTING_DEFECTS.md`.
"""

from __future__ import annotations

import re
from typing import Final

from shopcrew.agents.store_manager.audit.normalize import Span
from shopcrew.agents.store_manager.audit.vocab import (
    CONTACT_WECHAT_KEYWORDS_LATIN,
    CONTACT_WECHAT_KEYWORDS_ZH,
)

__all__ = ["CONTACT_PATTERNS", "contact_spans"]

_NO_DIGIT_BEFORE = r"(?<![0-9])"
_NO_DIGIT_AFTER = r"(?![0-9])"


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_WECHAT_KEYWORD = (
    f"(?:{_alternatives(CONTACT_WECHAT_KEYWORDS_ZH)}"
    f"|(?<![a-z0-9])(?:{_alternatives(CONTACT_WECHAT_KEYWORDS_LATIN)})(?![a-z]))"
)

CONTACT_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "Chinese mobile number",
        re.compile(f"{_NO_DIGIT_BEFORE}1[3-9][0-9][ -]?[0-9]{{4}}[ -]?[0-9]{{4}}{_NO_DIGIT_AFTER}"),
    ),
    (
        "Chinese landline number",
        re.compile(f"{_NO_DIGIT_BEFORE}0[0-9]{{2,3}}-[0-9]{{7,8}}{_NO_DIGIT_AFTER}"),
    ),
    (
        "400/800 hotline",
        re.compile(f"{_NO_DIGIT_BEFORE}[48]00[ -]?[0-9]{{3}}[ -]?[0-9]{{4}}{_NO_DIGIT_AFTER}"),
    ),
    (
        "North American phone number",
        re.compile(
            f"{_NO_DIGIT_BEFORE}(?:\\+?1[ .-]?)?(?:\\([0-9]{{3}}\\)|[0-9]{{3}})"
            f"[ .-]?[0-9]{{3}}[ .-]?[0-9]{{4}}{_NO_DIGIT_AFTER}"
        ),
    ),
    (
        "e-mail address",
        re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"),
    ),
    (
        "WeChat id",
        # The id is the maximal run of [a-z0-9_-], 6-20 long, holding a digit.
        re.compile(
            f"{_WECHAT_KEYWORD}(?:号码|号| id)? *:? *"
            r"(?=[a-z0-9_-]*[0-9])[a-z0-9_-]{6,20}(?![a-z0-9_-])"
        ),
    ),
    (
        "QQ number",
        re.compile(f"(?<![a-z0-9])qq(?![a-z])(?:号码|号|群)? *:? *[0-9]{{5,11}}{_NO_DIGIT_AFTER}"),
    ),
)
"""Each kind of off-platform contact and its pattern over normalised text."""


def contact_spans(norm: str) -> list[Span]:
    """Every contact detail in normalised text, in text order."""
    spans = [
        Span(match.start(), match.end(), label)
        for label, pattern in CONTACT_PATTERNS
        for match in pattern.finditer(norm)
    ]
    return sorted(spans, key=lambda span: (span.start, span.end))
