"""Where a named option belongs, whether it is refused, and how many of a thing are wanted.

English puts modifiers after a noun ("a T-shirt in black") or just before it ("a black mouse");
Chinese puts them before ("黑色的鼠标") or in a clause after ("双肩包，不要绿色的"). These rules
decide, from positions alone, which product mention an option mention belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.lexicon import Lexicon
from shopcrew.agents.shopping.mentions import Mention
from shopcrew.agents.shopping.money import parse_number
from shopcrew.agents.shopping.text import Span, containing, phrases

__all__ = ["attach_value", "choose_option", "is_refused", "product_refused", "quantity_before"]

_MASK = "\u2591"
_JOINERS_EN = re.compile(rf"^(?:[\s\-{_MASK}]|or\b|and\b|the\b|a\b|an\b|,)*$")
_ADJECTIVE_GAP_EN = re.compile(rf"^[\s\-]*(?:[a-z{_MASK}'\-]+[\s\-]+){{0,2}}$")
_JOINERS_ZH = re.compile(rf"^[\s{_MASK}和或与跟及、的了也都]*$")
_ZH_CLASSIFIERS = "个双件台把张副盏部本套款盒只条顶瓶支辆组份对"
_ZH_NUM = "一二两三四五六七八九十"


def _fits(catalog: CatalogIndex, product: str, value: Mention) -> tuple[bool, bool]:
    """(has one of the options, has one of the exact option values)."""
    info = catalog.products[product]
    has_option = any(info.option(o) is not None for o, _ in value.values)
    exact = any(
        (name := info.option(o)) is not None and v in info.options[name] for o, v in value.values
    )
    return has_option, exact


def attach_value(
    value: Mention,
    products: Sequence[Mention],
    *,
    text: str,
    lex: Lexicon,
    catalog: CatalogIndex,
    sentences: Sequence[Span],
    clauses: Sequence[Span],
) -> int | None:
    """The index in `products` of the product an option mention belongs to, if any fits."""
    fits = [_fits(catalog, p.product, value) for p in products]
    exact = [i for i, (_, e) in enumerate(fits) if e]
    pool = exact or [i for i, (o, _) in enumerate(fits) if o]
    if not pool:
        return None
    sentence = containing(sentences, value.span.start)
    clause = containing(clauses, value.span.start)
    after = [i for i in pool if products[i].span.start >= value.span.end]
    before = [i for i in pool if products[i].span.end <= value.span.start]
    if lex.lang == "zh":
        for i in after:
            if products[i].span.start < clause.end:
                return i
    elif after:
        first = after[0]
        gap = text[value.span.end : products[first].span.start]
        if not re.search(r"[,.;!?]|\band\b|\bwith\b|\bfor\b", gap) and _ADJECTIVE_GAP_EN.match(gap):
            return first
    in_sentence = [i for i in before if products[i].span.start >= sentence.start]
    if in_sentence:
        return in_sentence[-1]
    later = [i for i in after if products[i].span.start < sentence.end]
    if later:
        return later[0]
    return min(pool, key=lambda i: abs(products[i].span.start - value.span.start))


def choose_option(
    value: Mention, product: str, *, text: str, lex: Lexicon, catalog: CatalogIndex
) -> tuple[str, str] | None:
    """The (option, value) of `product` an option mention means, if the product has the option."""
    info = catalog.products[product]
    refs = [(info.option(o), v) for o, v in value.values]
    usable = [(o, v) for o, v in refs if o is not None]
    if not usable:
        return None
    exact = [(o, v) for o, v in usable if v in info.options[o]] or usable
    if len(exact) == 1:
        return exact[0]
    window = text[max(0, value.span.start - 12) : value.span.end + 16]
    for option, val in exact:
        cues = lex.option_cues.get(option.lower(), ())
        if cues and phrases(cues, lex.lang).search(window):
            return option, val
    for option, val in exact:
        if option.lower() == "color":
            return option, val
    return exact[0]


def is_refused(mention: Mention, *, text: str, lex: Lexicon, clause: Span) -> bool:
    """Whether an option (or product) mention is something the shopper does not want."""
    before = text[clause.start : mention.span.start]
    after = text[mention.span.end : clause.end]
    if lex.lang == "zh":
        return _zh_refused(before, after, lex)
    near = phrases(lex.cue("negation_before"), "en")
    for found in near.find(before):
        if _JOINERS_EN.match(before[found.end() :]) or len(before[found.end() :].split()) <= 2:
            return True
    if phrases(lex.cue("negation_scope"), "en").search(before):
        return True
    return bool(phrases(lex.cue("negation_after"), "en").search(after[:24]))


def _zh_refused(before: str, after: str, lex: Lexicon) -> bool:
    for found in phrases(lex.cue("negation_before"), "zh").find(before):
        gap = before[found.end() :]
        if len(gap) <= 4 or _JOINERS_ZH.match(gap):
            return True
    for found in phrases(lex.cue("negation_after"), "zh").find(after):
        gap = after[: found.start()]
        if len(gap) <= 4 or _JOINERS_ZH.match(gap):
            return True
    return False


def product_refused(mention: Mention, *, text: str, lex: Lexicon, clause: Span) -> bool:
    """Whether a product is named as one not wanted ("not a backpack", "不要双肩包")."""
    before = text[clause.start : mention.span.start]
    cues = lex.cue("negation_before")
    for found in phrases(cues, lex.lang).find(before):
        gap = before[found.end() :]
        if len(gap.split() if lex.lang == "en" else gap) <= (2 if lex.lang == "en" else 3):
            return True
    return lex.lang == "en" and bool(phrases(lex.cue("negation_scope"), "en").search(before))


def quantity_before(prefix: str, *, lex: Lexicon, number_words: dict[str, int]) -> int | None:
    """How many units a product mention asks for, from the (masked) words just before it."""
    if lex.lang == "zh":
        found = list(re.finditer(rf"(\d+|[{_ZH_NUM}]+)\s*[{_ZH_CLASSIFIERS}]", prefix))
        if not found:
            return None
        value = parse_number(found[-1].group(1))
        return int(value) if value is not None and 0 < value < 100 else None
    words = "|".join(re.escape(w) for w in sorted(number_words, key=len, reverse=True))
    pattern = rf"(?<![\w$.,])(\d+|{words})(?:\s+pairs?\s+of|\s+sets?\s+of)?"
    tail = rf"(?:[\s\-]+[a-z{_MASK}'\-]+){{0,3}}[\s\-]*$"
    found_en = re.search(pattern + tail, prefix)
    if found_en is None:
        return None
    token = found_en.group(1)
    count = int(token) if token.isdigit() else number_words.get(token)
    return count if count is not None and 0 < count < 100 else None
