"""Reading one shopper message: what to buy, options, budget, objective, gift, follow-ups.

The rules model's understanding. `read` turns one message into a `Reading` (only what this
message says); `shopcrew.agents.shopping.dialogue` folds the readings of a conversation into the
`recommend` tool's arguments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from shopcrew.agents.shopping.attach import (
    attach_value,
    choose_option,
    is_refused,
    product_refused,
    quantity_before,
)
from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.lexicon import Lang, Lexicon, detect_lang, lexicon
from shopcrew.agents.shopping.mentions import Mention, scanner
from shopcrew.agents.shopping.money import Budget, find_budget, parse_number
from shopcrew.agents.shopping.text import Span, clauses, containing, mask, normalise, phrases
from shopcrew.agents.shopping.text import sentences as split_sentences
from shopcrew.agents.shopping.wish import Objective, WishGroup

__all__ = ["OptionRef", "Reading", "read"]

OptionRef = tuple[str, str, str]
"""(product type, option, value) as the catalog writes them."""
Gender = Literal["male", "female"]


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message says about a shopping wish."""

    lang: Lang
    groups: tuple[WishGroup, ...] = ()
    """Things named to buy in this message (a gift's interest group included)."""
    loose_require: tuple[tuple[str, str], ...] = ()
    """(option, value) wanted without a product named here: they refine earlier groups."""
    loose_exclude: tuple[tuple[str, str], ...] = ()
    excluded_types: tuple[str, ...] = ()
    budget: Budget | None = None
    objective: Objective | None = None
    cheaper: bool = False
    pricier: bool = False
    other_color: bool = False
    recipient: Gender | None = None
    gift: bool = False
    interest: str | None = None
    shopping: bool = False
    """The message reads as a wish to buy something."""
    thing: str | None = None
    """What was asked for when no catalog product matched ('printer'), for the reply."""
    needs_people: bool = False
    """'A set for the whole family' without saying how many."""
    adds: bool = False
    """The products named are in addition to the earlier ones ('also a T-shirt')."""
    names: tuple[str, ...] = field(default_factory=tuple)
    """The words the shopper used for each group (for a question about it)."""


def _number_words(lex: Lexicon) -> dict[str, int]:
    raw = lex.cues.get("number_words") or {}
    return {str(k): int(v) for k, v in raw.items()}


def _num_pattern(lex: Lexicon) -> str:
    if lex.lang == "zh":
        return r"[\d一二两三四五六七八九十]"
    words = "|".join(sorted(_number_words(lex), key=len, reverse=True))
    return rf"(?:\d+|{words})"


def _to_int(token: str | None, lex: Lexicon) -> int | None:
    if token is None:
        return None
    words = _number_words(lex)
    if token in words:
        return words[token]
    if token == "couple":
        return 2
    value = parse_number(token)
    return int(value) if value is not None else None


def _regex_cues(lex: Lexicon, name: str, text: str) -> re.Match[str] | None:
    num = _num_pattern(lex)
    for entry in lex.cue(name):
        found = re.search(entry.removeprefix("re:").replace("NUM", num), text)
        if found is not None:
            return found
    return None


@dataclass
class _Product:
    mention: Mention
    require: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    quantity: int | None = None


def _add(table: dict[str, list[str]], option: str, value: str) -> None:
    values = table.setdefault(option, [])
    if value not in values:
        values.append(value)


def _recipient(text: str, lex: Lexicon) -> Gender | None:
    table = lex.cues.get("recipients") or {}
    first: tuple[int, Gender] | None = None
    for gender in ("male", "female"):
        found = phrases(tuple(str(w) for w in table.get(gender, ())), lex.lang).search(text)
        if found is not None and (first is None or found.start() < first[0]):
            first = (found.start(), gender)
    return None if first is None else first[1]


def _is_gift(text: str, lex: Lexicon) -> bool:
    table = lex.cues.get("recipients") or {}
    nouns = tuple(
        str(w)
        for group in table.values()
        for w in group
        if str(w) not in {"he", "she", "him", "her", "them", "他", "她"}
    )
    return bool(phrases(lex.cue("gift"), lex.lang).search(text)) or bool(
        phrases(nouns, lex.lang).search(text)
    )


_ZH_THING = re.compile(
    r"(?:(?:卖不卖|有没有卖|有没有|要买|想买|卖|买|要)(?:[一两1]?[台个件把张部双款盒只条顶瓶支辆])?"
    r"|[一1][台个件把张部双款盒只条顶瓶支辆])([\u4e00-\u9fff]{2,6}?)"
    r"(?:[，。,.?？!！吗呢吧]|$|的|预算)"
)
_EN_THING = re.compile(
    r"\b(?:a|an|some|any|sell|sells|carry|stock)\s+(?:a |an |any |some )?"
    r"((?:[a-z]+[\s-])?[a-z]+?)s?\b"
    r"(?=[,.?!]|\s+(?:for|under|with|that|in|to|and|please|max|at)\b|$)"
)


def _thing(text: str, lex: Lexicon) -> str | None:
    """What the shopper asked for, in their words, when no catalog product matched."""
    found = (_ZH_THING if lex.lang == "zh" else _EN_THING).search(text)
    return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    """The normalised message."""
    masked: str
    """The same with every mention (and the budget) overwritten."""
    lex: Lexicon
    catalog: CatalogIndex
    sentences: Sequence[Span]
    clauses: Sequence[Span]


def _owned(mention: Mention, ctx: _Context, *, possessive: bool = True) -> bool:
    """Named as something the person already has ('He already has a backpack', '双肩包他有了').

    With `possessive`, a product after 'his'/'her' ('with her camera') counts as theirs too.
    """
    clause = containing(ctx.clauses, mention.span.start)
    sentence = containing(ctx.sentences, mention.span.start)
    lex, masked = ctx.lex, ctx.masked
    if lex.lang == "zh":
        return bool(phrases(lex.cue("already_has"), "zh").search(masked[clause.start : clause.end]))
    if phrases(lex.cue("already_has"), "en").search(masked[sentence.start : mention.span.start]):
        return True
    if phrases(lex.cue("has_now"), "en").search(masked[clause.start : mention.span.start]):
        return True
    if not possessive:
        return False
    owners = phrases(lex.cue("possessive"), "en")
    head = masked[max(clause.start, mention.span.start - 24) : mention.span.start]
    return any(len(head[f.end() :].split()) <= 1 for f in owners.find(head))


def _accessory(mention: Mention, ctx: _Context) -> str | None:
    """The word after a product name that makes it an accessory ('case' of 'phone case')."""
    after = ctx.masked[mention.span.end : mention.span.end + 16]
    for found in phrases(ctx.lex.cue("accessory_heads"), ctx.lex.lang).find(after):
        gap = after[: found.start()]
        if gap.strip() == "":
            return gap + found.group(0)
        break
    return None


def _products(
    mentions: Sequence[Mention], ctx: _Context, accessories: list[str]
) -> tuple[list[_Product], list[str]]:
    wanted: list[_Product] = []
    refused: list[str] = []
    words = _number_words(ctx.lex)
    for mention in mentions:
        if mention.kind != "product":
            continue
        clause = containing(ctx.clauses, mention.span.start)
        head = _accessory(mention, ctx)
        if head is not None:
            accessories.append(ctx.text[mention.span.start : mention.span.end] + head)
            continue
        if _owned(mention, ctx) or product_refused(
            mention, text=ctx.masked, lex=ctx.lex, clause=clause
        ):
            refused.append(mention.product)
            continue
        start = max([clause.start, *(p.mention.span.end for p in wanted)])
        count = quantity_before(
            ctx.masked[start : mention.span.start], lex=ctx.lex, number_words=words
        )
        product = _Product(mention, quantity=count)
        for option, values in mention.implied:
            for value in values:
                _add(product.require, option, value)
        same = next((p for p in wanted if p.mention.product == mention.product), None)
        if same is None:
            wanted.append(product)
        elif count is not None and same.quantity is None:
            same.quantity = count
    return wanted, refused


def _values(
    mentions: Sequence[Mention], wanted: Sequence[_Product], ctx: _Context
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    loose_require: list[tuple[str, str]] = []
    loose_exclude: list[tuple[str, str]] = []
    heads = [p.mention for p in wanted]
    for mention in mentions:
        if mention.kind != "value":
            continue
        clause = containing(ctx.clauses, mention.span.start)
        refused = is_refused(mention, text=ctx.masked, lex=ctx.lex, clause=clause)
        index = attach_value(
            mention,
            heads,
            text=ctx.masked,
            lex=ctx.lex,
            catalog=ctx.catalog,
            sentences=ctx.sentences,
            clauses=ctx.clauses,
        )
        if index is None:
            target = loose_exclude if refused else loose_require
            target.extend(mention.values)
            continue
        product = wanted[index]
        chosen = choose_option(
            mention, product.mention.product, text=ctx.text, lex=ctx.lex, catalog=ctx.catalog
        )
        if chosen is not None:
            _add(product.exclude if refused else product.require, *chosen)
    return loose_require, loose_exclude


def _objective(text: str, lex: Lexicon) -> Objective | None:
    table = lex.cues.get("objective") or {}
    for name in ("cheapest", "best_within_budget"):
        cues = tuple(str(c) for c in table.get(name, ()))
        if phrases(cues, lex.lang).search(text):
            return name
    return None


def _gift_group(interest: str, masked: str, lex: Lexicon, excluded: Sequence[str]) -> WishGroup:
    found = _regex_cues(lex, "gift_quantity", masked)
    low = _to_int(found.group("lo"), lex) if found else None
    high = _to_int(found.groupdict().get("hi"), lex) if found else None
    quantity = low if low and 0 < low < 10 else 1
    most = high if high and quantity < high < 10 else None
    return WishGroup(
        interest=interest,
        quantity=quantity,
        max_quantity=most,
        distinct=quantity > 1,
        exclude_types=list(dict.fromkeys(excluded)),
    )


def _groups(wanted: Sequence[_Product], ctx: _Context, people: int | None) -> list[WishGroup]:
    groups = [
        WishGroup(
            product_types=[p.mention.product],
            quantity=p.quantity or (people if people and len(wanted) == 1 else 1),
            require=p.require,
            exclude=p.exclude,
        )
        for p in wanted
    ]
    if len(groups) == 1 and phrases(ctx.lex.cue("one_of_each"), ctx.lex.lang).search(ctx.text):
        only = groups[0]
        options = [(o, vs) for o, vs in only.require.items() if len(vs) > 1]
        if len(options) == 1:
            option, values = options[0]
            return [
                only.model_copy(update={"require": {**only.require, option: [v]}, "quantity": 1})
                for v in values
            ]
    return groups


def _people(masked: str, lex: Lexicon) -> tuple[int | None, bool]:
    found = _regex_cues(lex, "per_person", masked)
    if found is not None:
        count = _to_int(found.group("n"), lex)
        if count is not None and 1 < count < 20:
            return count, False
    whole = phrases(lex.cue("whole_group"), lex.lang).search(masked) is not None
    return None, whole


def _interest(mentions: Sequence[Mention], ctx: _Context) -> str | None:
    for mention in mentions:
        if mention.kind == "interest" and not _owned(mention, ctx, possessive=False):
            return mention.interest
    return None


def read(text: str, catalog: CatalogIndex, *, lang: Lang | None = None) -> Reading:
    """Read one shopper message against the catalog.

    Args:
        text: The message as the shopper wrote it.
        catalog: The merchant's catalog (product names and option values).
        lang: The shopper's language; detected from the text when omitted.
    """
    lang = lang or detect_lang(text)
    lex = lexicon(lang)
    norm = normalise(text)
    mentions = scanner(lang, catalog).scan(norm)
    masked = mask(norm, [m.span for m in mentions if m.kind != "interest"])
    budget = find_budget(masked, lex)
    if budget is not None:
        masked = mask(masked, [budget.span])
    ctx = _Context(norm, masked, lex, catalog, split_sentences(norm), clauses(norm))
    accessories: list[str] = []
    wanted, refused = _products(mentions, ctx, accessories)
    loose_require, loose_exclude = _values(mentions, wanted, ctx)
    people, needs_people = _people(masked, lex)
    groups = _groups(wanted, ctx, people)
    gift = _is_gift(norm, lex)
    interest = _interest(mentions, ctx)
    someone = _recipient(norm, lex) is not None
    if not groups and (gift or (interest and someone)) and not accessories:
        groups = [_gift_group(interest or "any_gift", masked, lex, refused)]
    objective = _objective(norm, lex)
    cheaper = objective is None and bool(phrases(lex.cue("cheaper"), lang).search(norm))
    shopping = bool(groups or budget or phrases(lex.cue("shopping"), lang).search(norm))
    return Reading(
        lang=lang,
        groups=tuple(groups),
        loose_require=tuple(loose_require),
        loose_exclude=tuple(loose_exclude),
        excluded_types=tuple(refused),
        budget=budget,
        objective=objective,
        cheaper=cheaper,
        pricier=bool(phrases(lex.cue("pricier"), lang).search(norm)),
        other_color=bool(phrases(lex.cue("other_color"), lang).search(norm)),
        recipient=_recipient(norm, lex),
        gift=gift,
        interest=interest,
        shopping=shopping,
        thing=None if groups else (accessories[0] if accessories else _thing(norm, lex)),
        needs_people=needs_people and people is None and bool(wanted),
        adds=bool(wanted) and bool(phrases(lex.cue("adds"), lang).search(norm)),
        names=tuple(text[p.mention.span.start : p.mention.span.end] for p in wanted),
    )
