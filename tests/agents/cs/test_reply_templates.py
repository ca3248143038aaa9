"""The rules model's reply templates: every language has every template, and they render."""

from __future__ import annotations

from typing import Any

import pytest

from shopcrew.agents.cs.rules.replies import brief, kb_answer, order_facts
from shopcrew.agents.cs.rules.templates import render, template, variant
from shopcrew.errors import CsLanguageDataError


def _shape(node: Any, prefix: str = "") -> set[str]:
    if isinstance(node, dict):
        return {k for key, value in node.items() for k in _shape(value, f"{prefix}{key}.")}
    return {prefix.rstrip(".")}


def test_chinese_and_english_have_the_same_templates() -> None:
    assert _shape(template("zh", "greet")) == _shape(template("en", "greet"))
    zh = {key for key in _shape({k: template("zh", k) for k in ("recap", "refuse", "ask", "kb")})}
    en = {key for key in _shape({k: template("en", k) for k in ("recap", "refuse", "ask", "kb")})}
    assert zh == en


def test_a_missing_template_is_a_data_error() -> None:
    with pytest.raises(CsLanguageDataError, match=r"no template 'nope\.never'"):
        render("en", "nope.never")


def test_a_later_variant_is_said_when_asked_and_the_last_one_stands_for_more() -> None:
    first = render("en", "not_yet")
    with variant(1):
        second = render("en", "not_yet")
    with variant(9):
        last = render("en", "not_yet")
    assert len({first, second, last}) == 3
    assert render("en", "not_yet") == first


def test_a_chinese_status_is_said_in_chinese_with_the_stores_word_in_brackets() -> None:
    order = {"order_id": "#W1", "status": "delivered", "payment_history": []}
    assert "已签收（delivered）" in order_facts(order, "zh")
    assert "$0.00" in order_facts(order, "en")


def test_a_faq_answer_is_the_sentences_that_answer_without_the_article_id() -> None:
    body = (
        "Refunds go to the original payment method. Gift card refunds arrive instantly. "
        "Card refunds take 5-7 business days. Cancelled orders are refunded right away. "
        "Returns are refunded once the items arrive."
    )
    answer = brief(body, "how long does a card refund take?", "en")
    assert "5-7 business days" in answer and "Returns are refunded" not in answer
    said = kb_answer([{"id": "refunds-en", "body": body}], "en", question="card refund time?")
    assert "refunds-en" not in said and "source" not in said
