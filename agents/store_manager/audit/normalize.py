"""Normalised text for the audit's text rules, with a map from normalised spans to raw ones.

The text rules of `LISTING_DEFECTS.md` match after NFKC and lower-casing, which can change
lengths (`㎏` becomes `kg`, `ﬁ` becomes `fi`); findings must still point into the raw text the
merchant wrote, so each normalised character remembers the raw chunk it came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["NormalizedText", "Span", "remove_spans", "width"]


@dataclass(frozen=True, slots=True)
class Span:
    """A match of a rule in normalised text: `norm[start:end]`, with what it is."""

    start: int
    end: int
    label: str
    """What matched, for the merchant (e.g. "mobile number", "'最'")."""


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A raw string, its NFKC lower-cased form, and the map back from one to the other."""

    raw: str
    norm: str
    """`unicodedata.normalize("NFKC", raw).lower()`."""
    starts: tuple[int, ...]
    """For each index of `norm`, the raw start of the chunk it came from."""
    ends: tuple[int, ...]
    """For each index of `norm`, the raw end of the chunk it came from."""

    @classmethod
    def of(cls, raw: str) -> NormalizedText:
        """Normalise `raw` and build the span map."""
        norm = unicodedata.normalize("NFKC", raw).lower()
        chunks = _chunks(raw)
        starts: list[int] = []
        ends: list[int] = []
        offset = 0
        for chunk in chunks:
            size = len(unicodedata.normalize("NFKC", chunk).lower())
            starts.extend([offset] * size)
            ends.extend([offset + len(chunk)] * size)
            offset += len(chunk)
        if len(starts) != len(norm):  # pragma: no cover - _chunks verifies; kept as a guard
            starts, ends = [0] * len(norm), [len(raw)] * len(norm)
        return cls(raw=raw, norm=norm, starts=tuple(starts), ends=tuple(ends))

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span `(start, end)` that the normalised span `norm[start:end]` came from."""
        if start >= end or not self.norm:
            position = self.starts[start] if start < len(self.starts) else len(self.raw)
            return position, position
        return self.starts[start], self.ends[end - 1]


def _chunks(raw: str) -> list[str]:
    """Split `raw` into pieces whose NFKC forms concatenate to the NFKC form of `raw`.

    Pieces start at characters of canonical combining class 0; neighbours that compose
    across that boundary (Hangul jamo, a few Indic vowel signs) are merged.
    """
    if not raw:
        return []
    pieces: list[str] = []
    for char in raw:
        if pieces and unicodedata.combining(char):
            pieces[-1] += char
        else:
            pieces.append(char)
    merged = [pieces[0]]
    for piece in pieces[1:]:
        joined = merged[-1] + piece
        if unicodedata.normalize("NFKC", joined) == unicodedata.normalize(
            "NFKC", merged[-1]
        ) + unicodedata.normalize("NFKC", piece):
            merged.append(piece)
        else:
            merged[-1] = joined
    if "".join(unicodedata.normalize("NFKC", piece) for piece in merged) != (
        unicodedata.normalize("NFKC", raw)
    ):
        return [raw]
    return merged


def width(text: str) -> int:
    """Title width: ASCII characters count 1, every other character counts 2."""
    return sum(1 if ord(char) <= 0x7F else 2 for char in text)


def remove_spans(raw: str, spans: list[tuple[int, int]]) -> str:
    """Remove raw spans from `raw`, without leaving doubled spaces where they were."""
    kept = ""
    position = 0
    for start, end in sorted(spans):
        if start > position:
            kept = _join(kept, raw[position:start])
        position = max(position, end)
    return _join(kept, raw[position:]).strip()


def _join(left: str, right: str) -> str:
    if left.endswith((" ", "\n")) or not left:
        right = right.lstrip(" ")
    return left + right
