"""Replies of the CS rules model: the values each reply needs, filled into data templates.

The words are in `lang/<language>/replies.yaml` and `lang/<language>/words.yaml`
(`templates`); this module only picks the template and gathers its values. Ids, product names
and option values are written as the store writes them; amounts with their currency; order
statuses, reasons and payment methods in the customer's words (a payment method by kind and
last four digits, never by id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from shopcrew.agents.cs.rules.actions import Ask, Refuse, net_paid
from shopcrew.agents.cs.rules.nlu import Lang
from shopcrew.agents.cs.rules.templates import render, status_word, statuses, template, word
from shopcrew.agents.money import format_money

__all__ = [
    "announce_transfer",
    "ask_detail",
    "ask_identification",
    "ask_order",
    "blocked_later",
    "brief",
    "declined",
    "deferred",
    "empathy",
    "failed",
    "greet",
    "injection_note",
    "kb_answer",
    "next_request",
    "not_yet",
    "not_your_order",
    "one_at_a_time",
    "order_facts",
    "refuse",
    "refuse_money",
    "transferred",
    "without_offer",
]


def _join(lang: Lang, *parts: str) -> str:
    kept = [part for part in parts if part]
    return ("" if lang == "zh" else " ").join(kept)


def greet(lang: Lang, *, after_change: bool = False) -> str:
    """An opening or follow-up question."""
    return render(lang, "greet.after" if after_change else "greet.first")


def ask_identification(lang: Lang, *, refused: bool = False, failed: bool = False) -> str:
    """Ask the customer to identify (email, or name + zip)."""
    return _join(
        lang,
        render(lang, "identify.failed") if failed else "",
        render(lang, "identify.refused") if refused else "",
        render(lang, "identify.ask"),
    )


def ask_order(lang: Lang, order_ids: Sequence[str]) -> str:
    """Ask which order the request is about."""
    return render(lang, "ask_order", orders=", ".join(order_ids))


def ask_detail(ask: Ask, lang: Lang) -> str:
    """Ask for a missing detail of the request."""
    return render(lang, f"ask.{ask.what}", order=ask.order_id or "")


def not_your_order(order_id: str, lang: Lang) -> str:
    """Refuse an order that is not in the customer's account."""
    return render(lang, "not_your_order", order=order_id)


def order_facts(order: Mapping[str, Any], lang: Lang, *, currency: str = "USD") -> str:
    """Status, tracking numbers and amount paid of an order."""
    tracking = [t for f in order.get("fulfillments", []) for t in f.get("tracking_id", [])]
    join = str(template(lang, "order_facts.join"))
    return _join(
        lang,
        render(
            lang,
            "order_facts.status",
            order=order.get("order_id"),
            status=status_word(lang, str(order.get("status")), currency=currency),
        ),
        render(lang, "order_facts.tracking", tracking=join.join(tracking))
        if tracking
        else render(lang, "order_facts.no_tracking"),
        render(lang, "order_facts.paid", paid=format_money(net_paid(order), currency)),
    )


def refuse(refusal: Refuse, lang: Lang, action: str | None, *, currency: str = "USD") -> str:
    """Explain why the policy forbids the request."""
    detail = refusal.detail or ""
    return render(
        lang,
        f"refuse.{refusal.why}",
        order=refusal.order_id or "",
        status=status_word(lang, refusal.status or "", currency=currency),
        action=word(lang, "action_verbs", str(action), default=word(lang, "action_verbs", "other")),
        item=detail,
        balance=_balance(detail, currency),
    )


def _balance(detail: str, currency: str) -> str:
    """A gift card balance as the customer reads it (with its currency)."""
    try:
        return format_money(float(detail), currency)
    except ValueError:
        return detail


def failed(explanation: str | None, lang: Lang) -> str:
    """A change that could not be made: why, in shop words, and that nothing changed."""
    return _join(lang, render(lang, "failed"), explanation or "")


def deferred(lang: Lang) -> str:
    """Before the proposal again, when the customer puts the decision off."""
    return render(lang, "deferred")


def not_yet(lang: Lang) -> str:
    """Before the proposal again, when the customer's answer to it was not a yes."""
    return render(lang, "not_yet")


def _noun(action: str, lang: Lang) -> str:
    return word(lang, "action_nouns", action)


def one_at_a_time(requests: Sequence[tuple[str, str | None]], lang: Lang) -> str:
    """Say that a message's requests, as (action, order id), are taken one at a time, in order."""
    steps = str(template(lang, "one_at_a_time_join")).join(
        _noun(action, lang) + (render(lang, "step_order", order=order) if order else "")
        for action, order in requests
    )
    return render(lang, "one_at_a_time", count=len(requests), steps=steps)


def next_request(action: str, order_ids: Sequence[str], lang: Lang) -> str:
    """Lead into the next request of the customer's message."""
    where = render(lang, "next_request_where", order=order_ids[0]) if order_ids else ""
    return render(lang, "next_request", what=_noun(action, lang), where=where)


def blocked_later(order_id: str, actions: Sequence[str], lang: Lang) -> str:
    """Warn that a change makes the order's other requested changes impossible."""
    wanted = str(template(lang, "blocked_later_join")).join(_noun(a, lang) for a in actions)
    return render(lang, "blocked_later", order=order_id, what=wanted)


def declined(lang: Lang) -> str:
    """Acknowledge a no to the change at hand."""
    return render(lang, "declined")


def announce_transfer(lang: Lang, why: str) -> str:
    """Said with the transfer: a person takes over, and what happens next.

    Args:
        lang: The customer's language.
        why: ``person`` (asked for one), ``refund_only`` or ``other``.
    """
    return render(lang, f"transfer.{why}")


def transferred(lang: Lang) -> str:
    """After the transfer."""
    return render(lang, "transferred")


def refuse_money(lang: Lang) -> str:
    """No refunds, credits or compensation outside a return (policy rule 11)."""
    return render(lang, "refuse_money")


def injection_note(lang: Lang) -> str:
    """Say that embedded 'system' text grants nothing."""
    return render(lang, "injection_note")


def empathy(texts: Sequence[str], lang: Lang) -> str:
    """A kind word before a proposal when the customer's messages show a slip or worry."""
    cues = template(lang, "empathy.cues")
    found = any(str(cue) in text.lower() for text in texts for cue in cues)
    return render(lang, "empathy.say") if found else ""


_SENTENCE = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+(?=[A-Z])")
_TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")


def _sentences(body: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(body) if part.strip()]


_CLEAR_MATCH = 0.75
"""The score from which a sentence answers a question (a rare shared word scores 1)."""


def _terms(text: str, lang: Lang) -> dict[str, float]:
    """The words of a text and their weights.

    Whole words, and for Chinese also single characters (half weight) and character pairs.
    """
    tokens = _TOKEN.findall(text.lower())
    if lang != "zh":
        return {t[:5]: 1.0 for t in tokens if len(t) > 2}
    chars = [t for t in tokens if len(t) == 1]
    found = {c: 0.5 for c in chars}
    found.update({a + b: 1.0 for a, b in pairwise(chars)})
    found.update({t: 1.0 for t in tokens if len(t) > 1})
    return found


def brief(body: str, question: str, lang: Lang, *, lead: int = 2) -> str:
    """The sentences of an article that answer a question, in the article's order.

    The article's first `lead` sentences (where articles state their rule) and, of the
    others, the (up to two) that best match the question: those sharing most words with it, each
    word weighed by how rare it is in the article; a question about time ("how long", 多久)
    also favours sentences with a number. When no sentence clearly matches, the whole article.
    """
    sentences = _sentences(body)
    if len(sentences) <= lead + 1:
        return body.strip()
    terms = [_terms(sentence, lang) for sentence in sentences]
    asked = _terms(question, lang)
    lowered = question.lower()
    timed = any(str(cue) in lowered for cue in template(lang, "kb.time_cues"))

    def score(index: int) -> float:
        shared = asked.keys() & terms[index].keys()
        weight = sum(asked[t] / sum(t in other for other in terms) for t in shared)
        return weight + (1.0 if timed and _DIGIT.search(sentences[index]) else 0.0)

    ranked = sorted(range(lead, len(sentences)), key=lambda i: (-score(i), i))
    best = [i for i in ranked[:2] if score(i) >= _CLEAR_MATCH]
    if not best:
        return body.strip()
    return _join(lang, *sentences[:lead], *(sentences[i] for i in sorted(best)))


def _glossed(text: str, lang: Lang) -> str:
    """An article's text with its store status words said in the customer's words.

    A gloss the article already gives ("processed（已处理）") is replaced with the status, and so
    is the space an article leaves between Chinese and the code ("一旦 processed").
    """
    for status in statuses(lang):
        text = re.sub(
            rf"(?:(?<=[\u4e00-\u9fff])\s+)?(?<![A-Za-z（(]){re.escape(status)}(?![A-Za-z）)])"
            r"(?:[（(][\u4e00-\u9fff]+[）)])?(?:\s+(?=[\u4e00-\u9fff]))?",
            status_word(lang, status),
            text,
        )
    return text


def kb_answer(
    articles: Sequence[Mapping[str, Any]], lang: Lang, *, question: str = "", offer: bool = False
) -> str:
    """Answer from knowledge-base articles: the sentences that answer, without article ids.

    Args:
        articles: The articles to answer from.
        lang: The customer's language.
        question: The customer's question; its words pick the sentences (all when empty).
        offer: End with an offer to help (when the answer is the whole reply).
    """
    if not articles:
        return render(lang, "kb.none")
    parts = []
    for article in articles:
        body = str(article.get("body", ""))
        parts.append(_glossed(brief(body, question, lang) if question else body, lang))
    answer = render(lang, "kb.answer", answer=_join(lang, *parts))
    return _join(lang, answer, render(lang, "kb.offer") if offer else "")


def without_offer(text: str, lang: Lang) -> str:
    """A knowledge-base answer without its closing offer (said before a confirmation)."""
    return text.removesuffix(render(lang, "kb.offer")).strip()
