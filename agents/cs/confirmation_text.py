"""The confirmation text of a proposal, rendered from its facts in the customer's language.

Templates live in `lang/<language>/proposals.yaml`; every value in them comes from the
proposal and the store (`proposal_facts.ProposalFacts`), so what the customer confirms is
what the write does: the order, each item with its options and price, the new options, the
address in full, the amount with its currency, where the money goes and when it arrives.
Payment methods are named as a customer knows them (brand and last four digits), never by
their internal ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shopcrew.agents.cs.language import Lang
from shopcrew.agents.cs.proposal_facts import ItemLine, ProposalFacts
from shopcrew.agents.money import format_money
from shopcrew.tools.records.retail import Address, CreditCard, GiftCard, PaymentMethod
from shopcrew.tools.records.terms import retail_terms

__all__ = [
    "again",
    "describe_method",
    "refund_timing",
    "render_address",
    "render_confirmation",
]


@cache
def _templates(lang: Lang) -> Mapping[str, Any]:
    source = resources.files("shopcrew.agents.cs").joinpath(f"lang/{lang}/proposals.yaml")
    data: Mapping[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    return data


def describe_method(method: PaymentMethod, lang: Lang, *, currency: str = "USD") -> str:
    """A payment method as a customer knows it: "Visa card ending in 1234", "支付宝".

    In a shop that sells in CNY a gift card is its store credit, 购物金.
    """
    names = _templates(lang)["methods"]
    if isinstance(method, CreditCard):
        return str(names["credit_card"]).format(brand=method.brand, last_four=method.last_four)
    if isinstance(method, GiftCard):
        kind = "store_credit" if currency.upper() == "CNY" else "gift_card"
        return str(names[kind]).format(balance=format_money(method.balance, currency))
    return str(names[method.source])


def render_address(address: Address, lang: Lang) -> str:
    """An address in full, every field the write will set; a Chinese one in Chinese order."""
    t = _templates(lang)
    if address.country == "中国":
        city = "" if lang == "zh" and address.city == address.state else address.city
        return str(t["address_cn"]).format_map({**address.model_dump(), "city": city})
    line2 = str(t["address2"]).format(address2=address.address2) if address.address2 else ""
    return str(t["address"]).format(
        address1=address.address1,
        address2=line2,
        city=address.city,
        state=address.state,
        zip=address.zip,
        country=address.country,
    )


def _options(options: Mapping[str, str], t: Mapping[str, Any]) -> str:
    return str(t["option_join"]).join(
        str(t["option"]).format(key=key, value=value) for key, value in options.items()
    )


def _item(line: ItemLine, t: Mapping[str, Any], currency: str) -> str:
    count = str(t["count"]).format(n=line.count) if line.count > 1 else ""
    values = {
        "count": count,
        "name": line.name,
        "options": _options(line.options, t),
        "price": format_money(line.price, currency),
    }
    if line.new_options is not None:
        return str(t["item_change"]).format(
            **values,
            new_options=_options(line.new_options, t),
            new_price=format_money(line.new_price or 0.0, currency),
        )
    return str(t["item" if line.count > 1 else "item_single"]).format(**values)


def refund_timing(method: PaymentMethod | None, lang: Lang) -> str:
    """When a refund to a payment method arrives (the knowledge base's refund article)."""
    return _timing(method, _templates(lang))


def _timing(method: PaymentMethod | None, t: Mapping[str, Any]) -> str:
    timing: Mapping[str, Any] = t["timing"]
    return str(timing.get(method.source if method else "other", timing["other"]))


def render_confirmation(facts: ProposalFacts, lang: Lang, *, currency: str = "USD") -> str:
    """The text the customer confirms, ending with how to confirm.

    Args:
        facts: The checked proposal's facts.
        lang: The customer's language.
        currency: The shop's currency (ISO 4217 code).
    """
    t = _templates(lang)
    money = format_money(facts.amount, currency)
    method = describe_method(facts.method, lang, currency=currency) if facts.method else ""
    if facts.difference > 0:
        difference = str(t["difference"]["pay"]).format(amount=money, method=method)
    elif facts.difference < 0:
        difference = str(t["difference"]["refund"]).format(amount=money, method=method)
    else:
        difference = str(t["difference"]["none"])
    refunds = str(t["refund_join"]).join(
        str(t["refund"]).format(
            amount=format_money(refund.amount, currency),
            method=describe_method(refund.method, lang, currency=currency),
            timing=_timing(refund.method, t),
        )
        for refund in facts.refunds
    )
    old_method = facts.old_method
    text = str(t["proposals"][facts.name]).format(
        order=facts.order_id or "",
        items=str(t["list_join"]).join(_item(line, t, currency) for line in facts.items),
        reason=retail_terms(lang).cancel_reason(facts.reason) if facts.reason else "",
        refunds=refunds,
        address=render_address(facts.address, lang) if facts.address else "",
        old_address=render_address(facts.old_address, lang) if facts.old_address else "",
        method=method,
        old_method=describe_method(old_method, lang, currency=currency) if old_method else "",
        old_timing=_timing(old_method, t),
        amount=money,
        timing=_timing(facts.method, t),
        difference=difference,
    )
    separator = "" if lang == "zh" else " "
    return f"{text.strip()}{separator}{t['ask']}"


def again(lang: Lang, shown: int) -> str:
    """What goes before a confirmation already shown `shown` times ("" the first time)."""
    if shown <= 0:
        return ""
    words = _templates(lang)["again"]
    return str(words[min(shown, len(words)) - 1])
