"""How the offline customer reads an agent's reply: what it is asked for."""

from __future__ import annotations

import pytest

from shopcrew.evaluation.tau.reading import read_reply


@pytest.mark.parametrize(
    ("reply", "asked"),
    [
        ("Which of your payment methods should I use for the price difference?", ("payment",)),
        # A re-ask worded as a statement still asks (a person would answer it).
        ("I still need to know which payment method to use: your card or PayPal.", ("payment",)),
        ("To go on I need your account's email, or your name and zip code.", ("identity",)),
        ("One more thing before I can go on: original payment method, or gift card?", ("payment",)),
    ],
)
def test_a_request_is_read_as_asking(reply: str, asked: tuple[str, ...]) -> None:
    assert read_reply(reply).asks == asked


def test_a_statement_about_a_policy_asks_nothing() -> None:
    article = "Refunds go to the original payment method within 5-7 business days."
    assert read_reply(article).asks == ()
