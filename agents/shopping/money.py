"""Budgets in the shopper's words: '$1,500', '$1.5k', 'around 300 bucks', '300以内', '两三百'.

A number is money when it carries a currency ("$", "dollars", "块", "元") or sits next to a budget
word ("budget", "under", "预算", "以内"); a number with a unit ("8GB", "两个") never is. The
budget is approximate when an approximation word stands near it ("around", "左右").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

import cn2an

from shopcrew.agents.shopping.lexicon import Lexicon
from shopcrew.agents.shopping.text import Span, clauses, containing, phrases

__all__ = ["Budget", "find_budget", "parse_number"]

logger = logging.getLogger(__name__)

_ZH_DIGITS = "零〇一二两三四五六七八九十百千万"
_ZH_AMOUNT = re.compile(
    rf"(?P<cur>[$¥￥])?\s?(?P<num>\d+(?:\.\d+)?|[{_ZH_DIGITS}]+(?:点[{_ZH_DIGITS}]+)?)"
    r"\s?(?P<k>[k千万](?!像))?"
    r"\s?(?P<unit>块钱|块|元|刀|美元|美金|人民币)?"
)
_ZH_RANGE_DIGIT = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


_NOWHERE = Span(0, 0)


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _en_amount(before: tuple[str, ...], after: tuple[str, ...]) -> re.Pattern[str]:
    """An English amount: a currency from the lexicon before or after the number ('¥400')."""
    return re.compile(
        rf"(?P<cur>(?:{_alternatives(before)})\s?)?\s?"
        r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        rf"(?P<k>\s?k(?![a-z]))?(?:\s?(?P<unit>{_alternatives(after)})(?![a-z]))?"
    )


@dataclass(frozen=True, slots=True)
class Budget:
    """What the shopper can spend on the whole recommendation."""

    amount: Decimal
    """The amount they wrote (the upper bound of a range)."""
    approx: bool = False
    """Written as approximate ('around $300', '300左右'): the total may be 0.8x to 1.1x."""
    low: Decimal | None = None
    """The lower end of a range ('between $200 and $300', '两三百')."""
    span: Span = _NOWHERE


def parse_number(text: str) -> Decimal | None:
    """A number written with digits (commas allowed) or Chinese numerals; None if neither."""
    clean = text.replace(",", "").strip()
    try:
        return Decimal(clean)
    except InvalidOperation:
        pass
    try:
        return Decimal(str(cn2an.cn2an(clean, "smart")))
    except (ValueError, KeyError, IndexError):
        return None


def _scaled(number: Decimal, k: str | None) -> Decimal:
    suffix = (k or "").strip()
    return number * {"k": 1000, "千": 1000, "万": 10000}.get(suffix, 1)


def _is_money(text: str, match: re.Match[str], lex: Lexicon, clause: Span) -> bool:
    after = text[match.end() : clause.end].lstrip()
    if any(after.startswith(word) for word in lex.cue("not_money_after")):
        return False
    if match.group("cur") or match.group("unit"):
        return True
    before = text[
        max(clause.start, match.start() - (8 if lex.lang == "zh" else 30)) : match.start()
    ]
    if (
        lex.lang == "zh"
        and not re.search(r"\d", match.group("num"))
        and len(match.group("num")) < 2
    ):
        return False
    if phrases(lex.cue("budget_after"), lex.lang).search(after[:8]) and (
        lex.lang == "zh" or re.match(r"(?:max|tops|or |ish|limit|budget|is my)", after)
    ):
        return True
    return bool(phrases(lex.cue("budget_before"), lex.lang).search(before))


def _approx(text: str, span: Span, lex: Lexicon, clause: Span) -> bool:
    reach = 6 if lex.lang == "zh" else 30
    window = text[max(clause.start, span.start - reach) : min(clause.end, span.end + 12)]
    return phrases(lex.cue("approx"), lex.lang).search(window) is not None


def _range(text: str, lex: Lexicon) -> Budget | None:
    for entry in lex.cue("range"):
        found = re.search(entry.removeprefix("re:"), text)
        if found is None:
            continue
        groups = found.groupdict()
        if groups.get("unit"):
            unit = _ZH_UNIT[groups["unit"]]
            low = Decimal(_ZH_RANGE_DIGIT[groups["lo"]] * unit)
            high = Decimal(_ZH_RANGE_DIGIT[groups["hi"]] * unit)
        else:
            lo, hi = parse_number(groups["lo"].rstrip("k")), parse_number(groups["hi"].rstrip("k"))
            if lo is None or hi is None:
                continue
            low, high = (
                _scaled(lo, "k" if groups["lo"].endswith("k") else None),
                _scaled(hi, "k" if groups["hi"].endswith("k") else None),
            )
        if 0 < low < high:
            return Budget(high, approx=False, low=low, span=Span(found.start(), found.end()))
    return None


def find_budget(text: str, lex: Lexicon) -> Budget | None:
    """The budget a normalised (value-masked) message states, if any."""
    ranged = _range(text, lex)
    if ranged is not None:
        return ranged
    pattern = (
        _ZH_AMOUNT
        if lex.lang == "zh"
        else _en_amount(lex.cue("currency_before"), lex.cue("currency_after"))
    )
    parts = clauses(text)
    found: list[Budget] = []
    for match in pattern.finditer(text):
        number = parse_number(match.group("num"))
        if number is None or number <= 0:
            continue
        clause = containing(parts, match.start())
        if not _is_money(text, match, lex, clause):
            continue
        span = Span(match.start(), match.end())
        amount = _scaled(number, match.group("k"))
        budget = Budget(amount, approx=_approx(text, span, lex, clause), span=span)
        if match.group("cur") or match.group("unit"):
            return budget  # a written currency beats a number that only sits near a cue
        found.append(budget)
    return found[0] if found else None
