"""What the customer's latest message asks of the dialogue.

A question about the shop's rules (answered from the knowledge base), a question that requests
nothing ("can I still cancel after this?"), a "later", thanks that close the topic. The words are
data (`cues.yaml`, `understanding.yaml`); these functions combine what `understand` read.
"""

from __future__ import annotations

from shopcrew.agents.cs.rules.lexicon import cue
from shopcrew.agents.cs.rules.nlu import Understanding
from shopcrew.agents.cs.rules.request import Request
from shopcrew.agents.cs.rules.state import DialogueState

__all__ = [
    "QUESTION",
    "closes_topic",
    "defers",
    "faq_turn",
    "gives_identity",
    "is_question",
    "only_asks",
]

QUESTION = cue("question", frame="[?？]|{}")
"""A question mark or a question word, in any language of the data."""


def is_question(understood: Understanding, text: str) -> bool:
    """A question of the shop's rules: a KB topic, or a question mark outside an introduction.

    "亲，在吗？我是马梓萱，邮编266071。" asks only whether someone is there.
    """
    if understood.faq:
        return True
    if defers(understood):
        return False  # "可以晚点再说吗？" puts a decision off; it asks nothing of the rules
    return bool(QUESTION.search(text)) and not gives_identity(understood)


def defers(understood: Understanding) -> bool:
    """Puts a decision off ("later", "我再想想") without asking about the shop's rules."""
    return understood.scores.get("defer", 0.0) >= 2 and not understood.faq


def gives_identity(understood: Understanding) -> bool:
    """Gives an email, or a name with a zip: an introduction."""
    return understood.email is not None or (understood.name is not None and bool(understood.zip))


def faq_turn(state: DialogueState, request: Request) -> bool:
    """A general question about the shop's rules, not about one of the customer's orders.

    The act classifier names it even when the question carries an action's words ("Is there a
    return window?") or follows talk of an order; a message naming an order is about that order.
    """
    latest = state.latest()
    if latest.asks_action or latest.order_ids:
        return False
    if (gives_identity(latest) and not latest.faq) or defers(latest):
        return False  # an introduction or a "later", not a rules question
    asked = bool(QUESTION.search(state.humans[-1]))
    if latest.act.says("policy", at_least=0.6 if asked else 0.85):
        return True
    if request.order_id is not None or not is_question(latest, state.humans[-1]):
        return False
    return bool(latest.faq) or latest.action is None


def only_asks(understood: Understanding, text: str) -> bool:
    """A question that requests nothing: no order, no new details, no action asked outright."""
    return (
        bool(QUESTION.search(text))
        and understood.act.says("policy", at_least=0.5)
        and not understood.asks_action
        and not understood.order_ids
        and understood.address is None
        and not understood.payments
        and understood.yes_no is None
    )


def closes_topic(understood: Understanding) -> bool:
    """Thanks or "that's all", asking for nothing more: the topic ends."""
    return (
        understood.act.says("thanks", at_least=0.6)
        and understood.action is None
        and not understood.order_ids
        and not understood.faq
    )
