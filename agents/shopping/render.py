"""Replies rendered from the tool's result, in the shopper's language, from `lang/*/templates.yaml`.

Every amount in a reply comes from integer cents computed by the chooser; no model writes one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shopcrew.agents.shopping.catalog import dollars
from shopcrew.agents.shopping.lexicon import Lang, detect_lang, lexicon
from shopcrew.agents.shopping.wish import ChosenItem

__all__ = [
    "ask_budget",
    "ask_people",
    "ask_what",
    "money",
    "not_sold",
    "product_name",
    "recommendation",
    "unmet",
]


def money(amount_cents: int, currency: str) -> str:
    """An amount as the replies write it: '$1234.50' (no thousands separator)."""
    return f"{currency}{dollars(amount_cents):.2f}"


def product_name(product: str, lang: Lang) -> str:
    """A product type in the shopper's words: 'hiking boots', '登山鞋', '拉杆行李箱'.

    A shop's own name is kept when it is written in the shopper's language.
    """
    if lang == "zh" and detect_lang(product) == "zh":
        return product
    for form in lexicon(lang).products:
        if form.product == product and not form.require:
            return form.form if lang == "zh" else product.lower().replace("t-shirt", "T-shirt")
    return product


def _value(option: str, value: str, lang: Lang) -> str:
    if lang == "en" or detect_lang(value) == lang:
        return value  # the catalog's own words when they are the shopper's language
    if value in ("yes", "no"):
        return "是" if value == "yes" else "否"
    written = lexicon(lang).values.get(option.lower(), {}).get(value)
    return written[0] if written else value


def options_text(options: Mapping[str, str], lang: Lang) -> str:
    """A variant's options: 'color black, size M' / '颜色：黑色，尺码：M'."""
    names = lexicon(lang).templates.get("option_names") or {}
    if lang == "zh":
        return "，".join(f"{names.get(o, o)}：{_value(o, v, lang)}" for o, v in options.items())
    return ", ".join(f"{o} {v}" for o, v in options.items())


def _join(parts: Sequence[str], lang: Lang, word: str = "and") -> str:
    lex = lexicon(lang)
    if len(parts) <= 1:
        return "".join(parts)
    return lex.template("list_sep").join(parts[:-1]) + lex.template(word) + parts[-1]


def recommendation(
    items: Sequence[ChosenItem],
    *,
    total_cents: int,
    currency: str,
    lang: Lang,
    intro: str = "intro",
    interest: str | None = None,
) -> str:
    """The reply for a recommendation: intro, one line per item, the total."""
    lex = lexicon(lang)
    lines = [lex.template(intro)]
    if interest is not None and intro == "intro" and interest != "any_gift":
        names = lex.templates.get("interest_names") or {}
        lines = [lex.template("intro_gift").format(interest=names.get(interest, interest))]
    for item in items:
        times = lex.template("times").format(quantity=item.quantity) if item.quantity > 1 else ""
        key = "item" if item.options else "item_no_options"
        lines.append(
            lex.template(key).format(
                name=product_name(item.product, lang),
                options=options_text(item.options, lang),
                item_id=item.item_id,
                price=f"{currency}{item.price:.2f}",
                times=times,
            )
        )
    lines.append(lex.template("total").format(total=money(total_cents, currency)))
    return "\n".join(lines)


def unmet(parts: Sequence[str], lang: Lang) -> str:
    """The reply when nothing meets the request: why, and a labelled alternative if any."""
    return " ".join([lexicon(lang).template("nothing_intro"), *parts])


def ask_budget(names: Sequence[str], lang: Lang, *, gift: bool) -> str:
    """The one question about a missing budget."""
    lex = lexicon(lang)
    if gift or not names:
        return lex.template("ask_budget_gift")
    return lex.template("ask_budget").format(what=_join(list(names), lang))


def ask_people(lang: Lang) -> str:
    """The one question about how many people a set is for."""
    return lexicon(lang).template("ask_people")


def ask_what(lang: Lang) -> str:
    """The question when a message names nothing to buy."""
    return lexicon(lang).template("ask_what")


def not_sold(thing: str | None, lang: Lang) -> str:
    """The reply for something the store does not sell."""
    lex = lexicon(lang)
    if thing:
        return lex.template("not_sold").format(thing=thing)
    return lex.template("not_sold_generic")
