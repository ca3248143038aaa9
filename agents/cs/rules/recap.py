"""The recap said after a completed write: what changed, the amount, where the money goes.

The facts are those the customer confirmed: `proposal_facts.describe` of the write against the
records as they were before it (the order read before the write, the customer's record, the
products read), so the recap states the same amounts, payment methods and items as the
confirmation. The words are the `recap` section of `lang/<language>/replies.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from shopcrew.agents.cs.confirmation_text import refund_timing, render_address
from shopcrew.agents.cs.language import Lang
from shopcrew.agents.cs.proposal_facts import ItemLine, ProposalFacts, describe
from shopcrew.agents.cs.rules.state import DialogueState, ToolEvent
from shopcrew.agents.cs.rules.templates import payment_kind, render, template
from shopcrew.agents.money import format_money
from shopcrew.tools.records.retail import Address, Customer, Order, PaymentMethod, Product
from shopcrew.tools.tau.names import MODIFY_PENDING_ORDER_PAYMENT, MODIFY_USER_ADDRESS

__all__ = ["recap"]


def _order_before(state: DialogueState, write: ToolEvent) -> Mapping[str, Any] | None:
    """The latest record of the write's order read before the write."""
    order_id = str(write.args.get("order_id", ""))
    found: Mapping[str, Any] | None = None
    for event in state.events:
        if event is write:
            return found
        record = state.record(event)
        if record is not None and str(record.get("order_id")) == order_id:
            found = record
    return found


def _facts(state: DialogueState, write: ToolEvent) -> ProposalFacts | None:
    try:
        user = state.user_before(write)
        customer = Customer.model_validate(user) if user is not None else None
        before = _order_before(state, write)
        order = Order.model_validate(before) if before is not None else None
        products = {pid: Product.model_validate(p) for pid, p in state.products.items()}
    except ValidationError:
        return None
    if customer is None or (order is None and write.name != MODIFY_USER_ADDRESS):
        return None
    facts = describe(write.name, write.args, customer=customer, order=order, products=products)
    return facts if isinstance(facts, ProposalFacts) else None


def _method(method: PaymentMethod, lang: Lang, currency: str) -> str:
    return payment_kind(lang, method.model_dump(), currency=currency)


def _timing(method: PaymentMethod | None, lang: Lang) -> str:
    return refund_timing(method, lang)


def _options(options: Mapping[str, str], lang: Lang) -> str:
    join = str(template(lang, "recap.option_join"))
    return join.join(render(lang, "recap.option", key=k, value=v) for k, v in options.items())


def _items(lines: tuple[ItemLine, ...], lang: Lang) -> str:
    rendered = [
        render(lang, "recap.item_change", name=line.name, options=_options(line.new_options, lang))
        if line.new_options is not None
        else render(lang, "recap.item", name=line.name)
        for line in lines
    ]
    return str(template(lang, "recap.list_join")).join(rendered)


def _address(address: Address | None, lang: Lang) -> str:
    return render_address(address, lang) if address is not None else ""


def _difference(facts: ProposalFacts, lang: Lang, currency: str) -> str:
    kind = "pay" if facts.difference > 0 else "refund" if facts.difference < 0 else "none"
    method = _method(facts.method, lang, currency) if facts.method is not None else ""
    return render(
        lang,
        f"recap.difference.{kind}",
        amount=format_money(facts.amount, currency),
        method=method,
        timing=_timing(facts.method, lang),
    )


def _refunds(facts: ProposalFacts, lang: Lang, currency: str) -> str:
    if facts.name == MODIFY_PENDING_ORDER_PAYMENT and facts.old_method is not None:
        pairs = [(facts.amount, facts.old_method)]
    else:
        pairs = [(refund.amount, refund.method) for refund in facts.refunds]
    return str(template(lang, "recap.refund_join")).join(
        render(
            lang,
            "recap.refund",
            amount=format_money(amount, currency),
            method=_method(method, lang, currency),
            timing=_timing(method, lang),
        )
        for amount, method in pairs
    )


def recap(state: DialogueState, write: ToolEvent, *, currency: str | None = None) -> str:
    """One or two sentences on a completed write, in the customer's language.

    Args:
        state: The dialogue state (the write among its events).
        write: The completed write.
        currency: The shop's currency (ISO 4217 code); the state's when None.
    """
    lang = state.lang
    currency = currency or state.currency
    facts = _facts(state, write)
    if facts is None:
        return render(lang, "recap.fallback")
    text = render(
        lang,
        f"recap.{facts.name}",
        order=facts.order_id or "",
        amount=format_money(facts.amount, currency),
        method=_method(facts.method, lang, currency) if facts.method is not None else "",
        timing=_timing(facts.method, lang),
        items=_items(facts.items, lang),
        address=_address(facts.address, lang),
        refunds=_refunds(facts, lang, currency),
        difference=_difference(facts, lang, currency),
    )
    return text.strip()
