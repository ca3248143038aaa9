"""Text helpers of the shopping guide: length-preserving normalisation, phrase matchers, clauses.

Every position found in a normalised text is a position in the shopper's text: normalising
maps one character to one character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from shopcrew.agents.shopping.lexicon import Lang

__all__ = [
    "PhraseSet",
    "Span",
    "clauses",
    "containing",
    "form_key",
    "mask",
    "normalise",
    "phrase_pattern",
    "phrases",
    "sentences",
]

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_DASHES = {ord(ch): "-" for ch in "‐‑‒–—－"}
_SENTENCE_END = re.compile(r"[.!?;。！？；\n]+(?=\s|$|[^\d])")
_CLAUSE_END = re.compile(r"[,，、:：]")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of character positions."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        """Whether the two ranges share a position."""
        return self.start < other.end and other.start < self.end


def normalise(text: str) -> str:
    """Lower case, half-width ASCII, one kind of dash; the same length as `text`."""
    out = text.translate(_FULLWIDTH).translate(_DASHES)
    lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in out)
    return lowered.replace("’", "'").replace("‘", "'")


def form_key(form: str) -> str:
    """The key under which a matched form is looked up: no spaces, dashes or case."""
    return re.sub(r"[\s\-]+", "", normalise(form))


def phrase_pattern(phrase: str, lang: Lang, *, plural: bool = False) -> str:
    """A regex for one phrase: whole words with flexible spaces/dashes (en), a substring (zh)."""
    text = normalise(phrase).strip()
    if lang == "zh":
        return re.escape(text)
    tokens = [re.escape(tok) for tok in re.split(r"[\s\-]+", text) if tok]
    body = r"[\s\-]*".join(tokens)
    if plural and tokens and tokens[-1][-1:].isalpha():
        body += "(?:s|es)?"
    head = r"(?<![a-z0-9.,$])" if text[:1].isalnum() else ""
    tail = r"(?![a-z0-9])" if text[-1:].isalnum() else ""
    return head + body + tail


class PhraseSet:
    """A cue list compiled once: plain phrases (see `phrase_pattern`) and `re:` expressions."""

    def __init__(self, entries: Iterable[str], lang: Lang) -> None:
        parts = []
        for entry in entries:
            if entry.startswith("re:"):
                parts.append(f"(?:{entry[3:]})")
            elif entry.strip():
                parts.append(phrase_pattern(entry, lang))
        parts.sort(key=len, reverse=True)
        self.regex = re.compile("|".join(parts)) if parts else None

    def find(self, text: str) -> Iterator[re.Match[str]]:
        """Every non-overlapping match in an already normalised text."""
        if self.regex is not None:
            yield from self.regex.finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        """The first match, if any."""
        return self.regex.search(text) if self.regex is not None else None


@cache
def phrases(entries: tuple[str, ...], lang: Lang) -> PhraseSet:
    """A cached `PhraseSet`."""
    return PhraseSet(entries, lang)


def _split(text: str, pattern: re.Pattern[str]) -> list[Span]:
    spans, start = [], 0
    for found in pattern.finditer(text):
        if found.start() > start:
            spans.append(Span(start, found.start()))
        start = found.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return spans


def sentences(text: str) -> list[Span]:
    """The sentences of a normalised text (a decimal point does not end one)."""
    return _split(text, _SENTENCE_END)


def clauses(text: str) -> list[Span]:
    """Sentences further cut at commas, colons and enumeration commas."""
    out: list[Span] = []
    for sentence in sentences(text):
        for part in _split(text[sentence.start : sentence.end], _CLAUSE_END):
            out.append(Span(sentence.start + part.start, sentence.start + part.end))
    return out


def containing(spans: Sequence[Span], position: int) -> Span:
    """The span holding `position` (an empty span there when none does)."""
    for span in spans:
        if span.start <= position < span.end:
            return span
    return Span(position, position)


def mask(text: str, spans: Iterable[Span], *, fill: str = "\u2591") -> str:
    """`text` with the given ranges overwritten, so cues are not found inside mentions."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = fill * len(span)
    return "".join(chars)
