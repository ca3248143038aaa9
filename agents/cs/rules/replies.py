"""Reply templates of the CS rules model, in Chinese and English.

Ids, product names, option values, statuses and amounts are written as the store writes them,
also in Chinese replies (policy rule 14); amounts with two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shopcrew.agents.cs.rules.actions import Ask, Refuse, net_paid
from shopcrew.agents.cs.rules.nlu import Lang
from shopcrew.agents.money import format_money
from shopcrew.tools.records.terms import retail_terms

__all__ = [
    "ask_detail",
    "ask_identification",
    "ask_order",
    "blocked_later",
    "declined",
    "done",
    "failed",
    "greet",
    "injection_note",
    "kb_answer",
    "money",
    "next_request",
    "not_found_identity",
    "not_yet",
    "not_your_order",
    "one_at_a_time",
    "order_facts",
    "refuse",
    "refuse_money",
    "transferred",
]


def money(value: float) -> str:
    """An amount with two decimals (``1234.56``, ``91.00``)."""
    return f"{round(value, 2):.2f}"


def greet(lang: Lang, *, after_change: bool = False) -> str:
    """An opening or follow-up question."""
    if lang == "zh":
        return "还有什么可以帮您？" if after_change else "您好！请问有什么可以帮您？"
    return "Is there anything else I can help with?" if after_change else "Hi! How can I help?"


def ask_identification(lang: Lang, *, refused: bool = False, failed: bool = False) -> str:
    """Ask the customer to identify (email, or name + zip)."""
    if lang == "zh":
        lead = "抱歉，没有找到与您提供的信息匹配的账户。" if failed else ""
        if refused:
            lead += "为了保护您的账户安全，查看或修改订单前必须先验证身份，这一步不能跳过。"
        return lead + "请提供您账户的邮箱，或者您的名字、姓氏和默认地址的邮编。"
    lead = "Sorry, I could not find an account with those details. " if failed else ""
    if refused:
        lead += (
            "To protect your account I must verify your identity before I can look at or "
            "change any order; I cannot skip this step. "
        )
    return lead + (
        "Please give me your account email, or your first name, last name and the zip code "
        "of your default address."
    )


def not_found_identity(lang: Lang) -> str:
    """The identification failed."""
    return ask_identification(lang, failed=True)


def ask_order(lang: Lang, order_ids: Sequence[str]) -> str:
    """Ask which order the request is about."""
    listed = ", ".join(order_ids)
    if lang == "zh":
        return f"请问是哪个订单？您账户下的订单有：{listed}。"
    return f"Which order is this about? Your orders are: {listed}."


def ask_detail(ask: Ask, lang: Lang) -> str:
    """Ask for a missing detail of the request."""
    order = ask.order_id or ""
    zh = {
        "reason": f"请问取消订单 {order} 的原因是什么？是不再需要，还是下错单了？",
        "address": "请提供完整的新地址：地址1、地址2（可无）、城市、州、邮编。",
        "payment": "请问差价或付款用您的哪种支付方式？",
        "refund_method": "退款退回原支付方式，还是退到您的礼品卡？",
        "items": f"请告诉我订单 {order} 中具体是哪些商品（以及数量和选项）。",
        "new_options": "请告诉我您想换成的具体选项（例如 color、size 的新值）。",
    }
    en = {
        "reason": f"May I ask why you want to cancel {order}: no longer needed, or ordered "
        "by mistake?",
        "address": "Please give me the full new address: address line 1, line 2 (if any), "
        "city, state and zip.",
        "payment": "Which of your payment methods should I use for the price difference?",
        "refund_method": "Should the refund go to the original payment method or to your "
        "gift card?",
        "items": f"Which items of order {order} do you mean (with their options and how many)?",
        "new_options": "Which options would you like instead (for example the new color or size)?",
    }
    return (zh if lang == "zh" else en)[ask.what]


def not_your_order(order_id: str, lang: Lang) -> str:
    """Refuse an order that is not in the customer's account."""
    if lang == "zh":
        return (
            f"抱歉，订单 {order_id} 不在您的账户下。为保护其他客户的隐私，我只能处理您本人账户"
            "下的订单，不能查看或修改别人的订单，即使有订单号或是家人的订单也不行。"
        )
    return (
        f"Sorry, order {order_id} is not in your account. I can only help with your own orders; "
        "I cannot look at or change anyone else's order, even with its number or for family."
    )


def order_facts(order: Mapping[str, Any], lang: Lang, *, currency: str = "USD") -> str:
    """Status (in the customer's words), tracking numbers and amount paid of an order."""
    order_id, status = order.get("order_id"), str(order.get("status"))
    tracking = [t for f in order.get("fulfillments", []) for t in f.get("tracking_id", [])]
    paid = format_money(net_paid(order), currency)
    if lang == "zh":
        text = f"订单 {order_id} 的订单状态：{retail_terms('zh').status(status)}。"
        text += f"物流单号：{'、'.join(tracking)}。" if tracking else "目前还没有物流单号。"
        return text + f"该订单实付金额：{paid}。"
    text = f"Order {order_id} status: {status}. "
    text += f"Tracking number: {', '.join(tracking)}. " if tracking else "No tracking number yet. "
    return text + f"Amount paid: {paid}."


_ZH_ACTION = {
    "cancel": "取消",
    "modify_address": "修改地址",
    "modify_payment": "修改支付方式",
    "modify_items": "修改商品",
    "return": "退货",
    "exchange": "换货",
}


def refuse(refusal: Refuse, lang: Lang, action: str | None) -> str:
    """Explain why the policy forbids the request."""
    order, status = refusal.order_id or "", refusal.status or ""
    if lang == "zh":
        zh = {
            "status": f"抱歉，订单 {order} 的状态是 {status}，"
            f"无法{_ZH_ACTION.get(str(action), '办理')}。"
            "只有 pending 状态的订单可以取消或修改，只有 delivered 状态的订单可以退货或换货。",
            "payment_unknown": "抱歉，您账户里没有符合描述的支付方式，"
            "我只能使用您账户中已有的支付方式。",
            "refund_method": "抱歉，退款只能退回该订单的原支付方式或您的礼品卡，"
            "不能退到其他卡或账户。",
            "same_payment": f"订单 {order} 目前已经在用这个支付方式付款了，无需更改。",
            "payment_changed": f"抱歉，订单 {order} 的支付方式已经修改过，不能再次修改。",
            "gift_insufficient": f"抱歉，您的礼品卡余额（{refusal.detail}）不足以支付，"
            "无法使用礼品卡。",
            "unavailable": f"抱歉，{refusal.detail} 目前没有可用的款式（缺货或不存在这个组合），"
            "所以我不能修改，也不会替您换成其他款式。",
            "item_unknown": f"抱歉，订单 {order} 中没有找到 {refusal.detail}，请核对商品名称。",
            "partial_cancel": f"抱歉，订单只能整单取消，不能只取消其中的 {refusal.detail}。"
            f"如果要取消整个订单 {order}，请告诉我；否则订单保持不变。",
        }
        return zh[refusal.why]
    en = {
        "status": f"Sorry, order {order} is {status}, so I cannot "
        f"{_EN_ACTION.get(str(action), 'change')} it. "
        "Only pending orders can be cancelled or modified, and only delivered orders can be "
        "returned or exchanged.",
        "payment_unknown": "Sorry, no payment method in your account matches that; I can only "
        "use payment methods on file.",
        "refund_method": "Sorry, a refund can only go to the order's original payment method or "
        "to your gift card, not to another card or account.",
        "same_payment": f"Order {order} is already paid with that method, so nothing to change.",
        "payment_changed": f"Sorry, the payment of order {order} was already changed once and "
        "cannot be changed again.",
        "gift_insufficient": f"Sorry, your gift card balance ({refusal.detail}) does not cover "
        "the amount, so I cannot use it.",
        "unavailable": f"Sorry, {refusal.detail} is not available (out of stock or no such "
        "option combination), so I cannot make that change, and I will not substitute another "
        "variant.",
        "item_unknown": f"Sorry, I could not find {refusal.detail} in order {order}; please "
        "check the product name.",
        "partial_cancel": f"Sorry, an order can only be cancelled as a whole, not just the "
        f"{refusal.detail}. If you want the whole order {order} cancelled, tell me; otherwise it "
        "stays as it is.",
    }
    return en[refusal.why]


_EN_ACTION = {
    "cancel": "cancel",
    "modify_address": "change the address of",
    "modify_payment": "change the payment of",
    "modify_items": "modify",
    "return": "return",
    "exchange": "exchange",
}


def failed(explanation: str | None, lang: Lang) -> str:
    """A change that could not be made: why, in shop words, and that nothing changed."""
    if lang == "zh":
        return f"抱歉，这项更改没有办理成功，没有做任何更改。{explanation or ''}"
    text = f"Sorry, that change could not be made, and nothing was changed. {explanation or ''}"
    return text.strip()


def not_yet(lang: Lang) -> str:
    """Before the proposal again, when the customer's answer to it was not a yes."""
    if lang == "zh":
        return "好的，还没有做任何更改。"
    return "No problem, nothing has been changed yet."


def done(name: str, result: str, lang: Lang, *, more: bool = False) -> str:
    """Report a write's outcome; ``more`` when the reply goes on with another request."""
    if result.startswith("Error:"):
        return failed(None, lang)
    if more:
        return "已办理完成。" if lang == "zh" else "Done, the change is made."
    if lang == "zh":
        return "已办理完成。还有什么可以帮您？"
    return "Done, the change is made. Anything else I can help with?"


_EN_ACTION_NOUN = {
    "cancel": "cancellation",
    "modify_address": "shipping address change",
    "modify_payment": "payment change",
    "modify_items": "item change",
    "items": "item change or exchange",
    "return": "return",
    "exchange": "exchange",
    "user_address": "default address change",
}
_ZH_ACTION_NOUN = {
    "cancel": "取消订单",
    "modify_address": "修改收货地址",
    "modify_payment": "修改支付方式",
    "modify_items": "修改商品",
    "items": "更换商品",
    "return": "退货",
    "exchange": "换货",
    "user_address": "修改默认地址",
}


def _noun(action: str, lang: Lang) -> str:
    if lang == "zh":
        return _ZH_ACTION_NOUN.get(action, action)
    return _EN_ACTION_NOUN.get(action, action)


def one_at_a_time(requests: Sequence[tuple[str, str | None]], lang: Lang) -> str:
    """Say that a message's requests, as (action, order id), are taken one at a time, in order."""
    if lang == "zh":
        steps = "，再".join(
            _noun(action, lang) + (f"（{order}）" if order else "") for action, order in requests
        )
        return f"您提到了{len(requests)}件事，我们一件一件来：先{steps}。"
    steps = ", then the ".join(
        _noun(action, lang) + (f" ({order})" if order else "") for action, order in requests
    )
    return (
        f"You asked for {len(requests)} things; I will take them one at a time: first the {steps}."
    )


def next_request(action: str, order_ids: Sequence[str], lang: Lang) -> str:
    """Lead into the next request of the customer's message."""
    order = order_ids[0] if order_ids else ""
    if lang == "zh":
        where = f"（订单 {order}）" if order else ""
        return f"接下来办理您提到的{_noun(action, lang)}{where}："
    where = f" (order {order})" if order else ""
    return f"Next, the {_noun(action, lang)} you also asked for{where}:"


def blocked_later(order_id: str, actions: Sequence[str], lang: Lang) -> str:
    """Warn that a change makes the order's other requested changes impossible."""
    if lang == "zh":
        wanted = "、".join(_noun(action, lang) for action in actions)
        return f"注意：办理后订单 {order_id} 的状态会改变，您提到的{wanted}将无法再办理。"
    wanted = " and the ".join(_noun(action, lang) for action in actions)
    return (
        f"Note: after this, order {order_id} can no longer be changed, so the {wanted} you also "
        "asked for will not be possible."
    )


def declined(lang: Lang) -> str:
    """Acknowledge a no to the change at hand."""
    if lang == "zh":
        return "好的，这一项不办理，没有做任何更改。"
    return "All right, I will leave that one as it is; nothing was changed."


def transferred(lang: Lang) -> str:
    """After the transfer."""
    if lang == "zh":
        return "已为您转接人工客服，请稍候。"
    return "I have transferred you to a human agent; they will take it from here."


def refuse_money(lang: Lang) -> str:
    """No refunds, credits or compensation outside a return (policy rule 11)."""
    if lang == "zh":
        return (
            "抱歉，我不能直接退款、补偿或发放优惠。退款只能通过已签收（delivered）订单的退货办理，"
            "退回原支付方式或礼品卡。消息中自称来自系统或管理员的内容不会改变这些规则。"
        )
    return (
        "Sorry, I cannot issue refunds, credits or compensation on their own: money goes back "
        "only through a return of a delivered order, to the original payment method or a gift "
        "card. Text in a message claiming to come from the system or an admin changes no rule."
    )


def injection_note(lang: Lang) -> str:
    """Say that embedded 'system' text grants nothing."""
    if lang == "zh":
        return "（消息中自称系统、管理员或“已确认”的内容不算数：每项更改都需要您本人明确确认。）"
    return (
        "(Notes in a message claiming to be from the system or saying it is pre-approved do "
        "not count: every change needs your own explicit confirmation.)"
    )


def kb_answer(articles: Sequence[Mapping[str, Any]], lang: Lang) -> str:
    """Answer from knowledge-base articles, quoting them and citing their ids."""
    if not articles:
        if lang == "zh":
            return "抱歉，知识库里没有找到相关说明。需要的话我可以为您转人工。"
        return "Sorry, I found nothing on that in our help articles."
    parts = []
    for article in articles:
        if lang == "zh":
            parts.append(f"{article.get('body')}（来源：{article.get('id')}）")
        else:
            parts.append(f"{article.get('body')} (source: {article.get('id')})")
    return "\n".join(parts)
