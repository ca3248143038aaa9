"""Item mentions for the CS rules model: product names, option values and copy counts.

Product names and option values come from the store at runtime (the order's items, the product's
variants), so the matching is against a catalog the caller passes, never a fixed list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shopcrew.agents.cs.rules.lexicon import cue, language_data, languages, option_spellings

__all__ = [
    "ALL_COPIES",
    "ItemMention",
    "extract_item_mentions",
    "extract_options",
    "find_products",
]

ALL_COPIES = -1
"""``ItemMention.quantity`` when the customer means every copy ("both", "2个都退")."""

_OPEN = "(（"
_CLOSE = ")）"
_NEW_MARKERS = cue("new_value_marker", frame="{}|→|->")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "a": 1, "an": 1, "single": 1}
_ZH_NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ALL = cue("all_copies")
_JUST_ONE = cue("just_one")


@dataclass(frozen=True, slots=True)
class ItemMention:
    """One product the customer names, with the options they give for it."""

    name: str
    """The product name as the catalog writes it."""
    options: tuple[tuple[str, str], ...] = ()
    """Options that tell the current item apart (``the Bookshelf (height 5 ft)``)."""
    new_options: tuple[tuple[str, str], ...] = ()
    """Options the customer wants it changed to (``switch the Laptop to storage 1TB SSD``)."""
    quantity: int | None = None
    """Copies meant: a number, `ALL_COPIES`, or None when not said."""
    size_shift: int = 0
    """One size down (-1) or up (1) from the item's own ("one size smaller", 大一码)."""


def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.lower()).strip()


def _name_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in re.split(r"[\s-]+", name.lower()) if word]
    body = r"[\s-]*".join(words)
    return re.compile(r"(?<![A-Za-z])" + body + r"(?:e?s)?(?![A-Za-z])", re.IGNORECASE)


def find_products(text: str, names: Sequence[str]) -> list[tuple[str, int, int]]:
    """Catalog names found in the text as ``(name, start, end)``, in order.

    Matching ignores case, hyphens and spacing, and accepts a plural; a name written with a small
    typo (one edit in a long name) is found too. Longer names win where two overlap
    (``Smart Watch`` over ``Watch``).
    """
    hits: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(set(names), key=len, reverse=True):
        for match in _name_pattern(name).finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            hits.append((name, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    if not hits:
        hits = _fuzzy_products(text, names)
    return sorted(hits, key=lambda hit: hit[1])


def _fuzzy_products(text: str, names: Sequence[str]) -> list[tuple[str, int, int]]:
    words = list(re.finditer(r"[A-Za-z][A-Za-z-]*", text))
    hits: list[tuple[str, int, int]] = []
    for name in names:
        size = len(name.split())
        if len(name) < 6:
            continue
        for index in range(len(words) - size + 1):
            span = words[index : index + size]
            candidate = text[span[0].start() : span[-1].end()]
            if difflib.SequenceMatcher(None, _norm(candidate), _norm(name)).ratio() >= 0.88:
                hits.append((name, span[0].start(), span[-1].end()))
                break
    return hits


_CJK = re.compile(r"[\u4e00-\u9fff]")


_LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
_WORD_SIZES = ("small", "medium", "large")
_LEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)?")


def size_shift(text: str) -> int:
    """-1 for "one size smaller" / 小一码, 1 for one size bigger, 0 when neither is said."""
    lowered = text.lower()
    for lang in languages():
        data = language_data(lang)
        for step, cues in data.size_shift.items():
            for word in cues:
                if data.cue_style == "chars" and word in lowered:
                    return step
                if data.cue_style == "words" and re.search(
                    rf"(?<![a-z])(?:{word})(?![a-z])", lowered
                ):
                    return step
    return 0


def _size_rank(value: str) -> float | None:
    if value.upper() in _LETTER_SIZES:
        return float(_LETTER_SIZES.index(value.upper()))
    if value.lower() in _WORD_SIZES:
        return float(_WORD_SIZES.index(value.lower()))
    number = _LEADING_NUMBER.match(value)
    return float(number.group(0)) if number else None


def shifted_size(
    options: Mapping[str, Sequence[str]], current: Mapping[str, str], step: int
) -> tuple[str, str] | None:
    """The size option one step from the current item's, as ``(key, value)``.

    None when the product has no orderable size, or no size that far.
    """
    keys = [key for key in options if key == "size"] or [key for key in options if "size" in key]
    if len(keys) != 1 or keys[0] not in current:
        return None
    key = keys[0]
    ranked = {value: _size_rank(value) for value in set(options[key])}
    if any(rank is None for rank in ranked.values()):
        return None
    ordered = sorted(ranked, key=lambda value: ranked[value] or 0.0)
    here = str(current[key])
    if here not in ordered:
        return None
    index = ordered.index(here) + step
    return (key, ordered[index]) if 0 <= index < len(ordered) else None


def _spelled(word: str) -> str:
    """A regex for a catalog word and its other spellings (`option_spellings`)."""
    ways = sorted(option_spellings(word), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(way) for way in ways) + ")"


def _unique_values(options: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Values that only one option key has (value -> key): written alone, they name that key."""
    owners: dict[str, set[str]] = {}
    for key, values in options.items():
        for value in values:
            owners.setdefault(value, set()).add(key)
    return {value: next(iter(keys)) for value, keys in owners.items() if len(keys) == 1}


def extract_options(text: str, options: Mapping[str, Sequence[str]]) -> list[tuple[str, str, int]]:
    """Option values the catalog knows, written ``key value``, ``key: value`` or alone.

    Keys and values may be written in the customer's own words (`option_spellings`: "colour",
    "gray", 颜色, 灰色). A value written alone counts when only one key of the product has it and
    that key is not named elsewhere; it must be at least three letters (or Chinese), so that a
    size letter is never read out of a word.

    Args:
        text: Where to look.
        options: For each option key, the values the product's variants have.

    Returns:
        ``(key, value, position)`` triples in order of appearance, each key once (its first
        mention); the value is written as the catalog writes it.
    """
    found: dict[str, tuple[str, int]] = {}
    taken: list[tuple[int, int]] = []

    def take(key: str, value: str, pattern: str) -> None:
        regex = re.compile(r"(?<![A-Za-z])" + pattern + r"(?![A-Za-z0-9])", re.IGNORECASE)
        for match in regex.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            if key not in found or match.start() < found[key][1]:
                found[key] = (value, match.start())
            taken.append((match.start(), match.end()))

    # The catalog's own spelling first: "gray" is the gray variant where both exist.
    for spelled in (re.escape, _spelled):
        for key in sorted(options, key=len, reverse=True):
            for value in sorted(set(options[key]), key=len, reverse=True):
                take(key, value, spelled(key) + r"\s*(?:[:：=]|is|of|为|是)?\s*" + spelled(value))
    alone = _unique_values(options)
    for value in sorted(alone, key=len, reverse=True):
        key = alone[value]
        if key in found:
            continue
        ways = [w for w in option_spellings(value) if len(w) >= 3 or _CJK.search(w)]
        if ways:
            take(key, value, "(?:" + "|".join(re.escape(w) for w in ways) + ")")
    return sorted(((k, v, p) for k, (v, p) in found.items()), key=lambda t: t[2])


def _quantity(segment: str, prefix: str) -> int | None:
    if _ALL.search(segment):
        return ALL_COPIES
    if _JUST_ONE.search(segment):
        return 1
    lead = re.search(r"(\w+)\s*$", prefix)
    if lead and lead.group(1).lower() in _NUMBER_WORDS and lead.group(1).lower() not in {"a", "an"}:
        return _NUMBER_WORDS[lead.group(1).lower()]
    if lead and lead.group(1).isdigit() and len(lead.group(1)) == 1:
        return int(lead.group(1))
    zh = re.search(r"([一两二三四1-4])\s*(?:个|件|台|双|套|把|只|本)\s*$", prefix)
    if zh:
        return _ZH_NUMBERS[zh.group(1)]
    return None


def _paren_end(text: str, start: int) -> int:
    """End of a parenthesis group opening right at (or just after) ``start``, else ``start``."""
    rest = text[start:]
    stripped = len(rest) - len(rest.lstrip())
    if rest[stripped : stripped + 1] and rest[stripped] in _OPEN:
        depth_end = min(
            (i for i, ch in enumerate(rest) if ch in _CLOSE and i > stripped), default=-1
        )
        if depth_end >= 0:
            return start + depth_end + 1
    return start


def _is_option_value(
    text: str,
    hit: tuple[str, int, int],
    catalog: Mapping[str, Mapping[str, Sequence[str]]],
) -> bool:
    """Whether a product name found in the text is an option's value (``compartment: laptop``).

    A value written right after its option key binds to the option, not to a new item.
    """
    _, start, _ = hit
    head = text[:start]
    rest = text[start:].lower()
    for options in catalog.values():
        for key, values in options.items():
            pattern = r"(?<![A-Za-z])" + re.escape(key) + r"\s*(?:[:：=]|is|of|为|是)?\s*$"
            if not re.search(pattern, head, re.IGNORECASE):
                continue
            if any(rest.startswith(str(value).lower()) for value in values):
                return True
    return False


def extract_item_mentions(
    text: str,
    catalog: Mapping[str, Mapping[str, Sequence[str]]],
) -> tuple[ItemMention, ...]:
    """The items a message names, with current and wanted options and copy counts.

    Options inside a parenthesis right after the name, or before any change word, describe the
    item the customer has; options after a change word (``to``, ``for``, ``改成``, ``换成``)
    describe the variant they want.

    Args:
        text: The customer's message.
        catalog: For each product name the customer could mean, its option keys and values.

    Returns:
        One mention per product name occurrence, in order.
    """
    hits = [
        hit
        for hit in find_products(text, list(catalog))
        if not _is_option_value(text, hit, catalog)
    ]
    mentions: list[ItemMention] = []
    for index, (name, start, end) in enumerate(hits):
        stop = hits[index + 1][1] if index + 1 < len(hits) else len(text)
        segment = text[end:stop]
        paren = _paren_end(text, end) - end
        marker = _NEW_MARKERS.search(segment, paren)
        split = marker.start() if marker else len(segment)
        if marker is not None and marker.group(0).lower() == "instead":
            split = 0  # "the Water Bottle in black instead": all of it is the wanted variant.
        split = max(split, paren)
        old = [(key, value) for key, value, _ in extract_options(segment[:split], catalog[name])]
        new = [(key, value) for key, value, _ in extract_options(segment[split:], catalog[name])]
        prefix = text[max(0, start - 12) : start]
        mentions.append(
            ItemMention(
                name=name,
                options=tuple(old),
                new_options=tuple(new),
                quantity=_quantity(prefix + text[start:stop], prefix),
                size_shift=size_shift(text[start:stop]),
            )
        )
    return tuple(mentions)
