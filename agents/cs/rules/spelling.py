"""Mending shoppers' typos before cues are matched ("adress" reads as "address").

Each language's known misspellings (`typos:` in its understanding file) are replaced by what
they stand for.

A word is mended only when it is unknown, at least five letters long, and exactly one known word
(`spelling:`) is one slip away from it (a letter left out, added, changed, or two swapped), and
the unknown word is not a known word's own inflection ("charger" stays). Slot extraction
reads the original text.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from shopcrew.agents.cs.rules.lexicon import language_data, languages

__all__ = ["mend_typos"]

_WORD = re.compile(r"[A-Za-z]+")
_MIN_LENGTH = 5
_INFLECTIONS = ("s", "es", "d", "ed", "r", "er", "ing", "ly")


@cache
def _known() -> frozenset[str]:
    words: set[str] = set()
    for lang in languages():
        words |= language_data(lang).spelling
    return frozenset(words)


@cache
def _typos() -> tuple[tuple[str, str], ...]:
    pairs = [
        (wrong, right) for lang in languages() for wrong, right in language_data(lang).typos.items()
    ]
    # Longest first, so that a misspelling inside a longer one does not win.
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _one_slip(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one deletion, insertion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return (
            len(diffs) == 2
            and second == first + 1
            and a[first] == b[second]
            and a[second] == b[first]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long)):
        if long[:i] + long[i + 1 :] == short:
            return True
    return False


def _is_inflection(word: str, base: str) -> bool:
    return any(word == base + ending or base == word + ending for ending in _INFLECTIONS)


@lru_cache(maxsize=4096)
def _mend_word(word: str) -> str:
    lowered = word.lower()
    known = _known()
    if len(lowered) < _MIN_LENGTH or lowered in known:
        return word
    if any(_is_inflection(lowered, base) for base in known):
        return word  # "charger", "deliverd": a known word's own form, not a slip of another.
    matches = [
        candidate
        for candidate in known
        if _one_slip(lowered, candidate) and not _is_inflection(lowered, candidate)
    ]
    return matches[0] if len(matches) == 1 else word


def mend_typos(text: str) -> str:
    """The text with known misspellings replaced and one-slip typos of known words mended."""
    for wrong, right in _typos():
        if wrong in text:
            text = text.replace(wrong, right)
    if not _known():
        return text
    return _WORD.sub(lambda match: _mend_word(match.group(0)), text)
