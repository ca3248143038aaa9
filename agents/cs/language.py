"""Which language a customer writes in: Chinese or English."""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = ["Lang", "detect_language"]

Lang = Literal["zh", "en"]
"""The languages the CS agent speaks."""

_CJK: Final = re.compile(r"[\u4e00-\u9fff]")
_LATIN: Final = re.compile(r"[A-Za-z]")
_ZH_PUNCT: Final = re.compile(r"[，。？！：；、]")


def detect_language(text: str, *, default: Lang = "en") -> Lang:
    """``zh`` when the text has any Chinese character or full-width punctuation, else ``en``.

    Text with no letters at all (``"1"``, ``"👍"``) gives ``default``: the conversation's language.
    """
    if _CJK.search(text) or _ZH_PUNCT.search(text):
        return "zh"
    if not _LATIN.search(text):
        return default
    return "en"
