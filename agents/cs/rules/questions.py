"""Information questions asked in the same message as an action ("Where is #W1? Also cancel #W2").

A clause is such a question when it opens no request (`segments`), carries no detail a
request takes (identification, address, payment method, reason), and asks either about one
named order (its status, tracking number or amount paid) or about the shop's rules (a
knowledge-base topic, as a question). They are taken out of the message only when what is left
still asks for an action: the request flow then reads the action alone, and the policy answers
the questions beside it. A message that is only a question, or only an action, is left whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from shopcrew.agents.cs.rules.lexicon import cue
from shopcrew.agents.cs.rules.nlu import Lang, OrderQuestion, is_policy_question, understand
from shopcrew.agents.cs.rules.segments import clauses_of

__all__ = ["SideQuestion", "kb_question", "split_questions"]

_ASKS = cue("asks", frame="[?？]|{}")
_WHERE_IS = cue("where_is")
"""Words that ask where one named order is, which the intents do not all read as a status
question ("When will #W1 arrive?", "W1什么时候到？")."""


@dataclass(frozen=True, slots=True)
class SideQuestion:
    """An information question written beside an action."""

    kind: Literal["order", "kb"]
    """``order``: about one of the customer's orders; ``kb``: about the shop's rules."""
    text: str
    """The question's own words."""
    order_id: str | None = None
    """For an order question, the order asked about."""
    asks: OrderQuestion | None = None
    """For an order question, what is asked (status, tracking, amount)."""
    topics: tuple[str, ...] = ()
    """For a knowledge-base question, its topics, best first."""


def _question(clause: str, lang: Lang) -> SideQuestion | None:
    understood = understand(clause, default_lang=lang)
    details = (understood.email, understood.name, understood.zip, understood.address)
    if any(d is not None for d in details) or understood.payments or understood.reason:
        return None
    flags = (understood.wants_human, understood.refund_only, understood.complaint)
    if any(flags) or understood.injection or understood.refuses_identify:
        return None
    ids = set(understood.order_ids)
    if len(ids) == 1 and understood.action == "status":
        return SideQuestion("order", clause, understood.order_ids[0], understood.order_question)
    if len(ids) == 1 and understood.action is None and _WHERE_IS.search(clause):
        return SideQuestion("order", clause, understood.order_ids[0], "status")
    asked = bool(_ASKS.search(clause)) or is_policy_question(clause)
    if understood.faq and not ids and asked:
        return SideQuestion("kb", clause, topics=understood.faq)
    return None


def kb_question(text: str, lang: Lang = "en") -> SideQuestion | None:
    """A whole message that only asks about the shop's rules ("how long do refunds take?")."""
    if understand(text, default_lang=lang).action is not None:
        return None
    found = _question(text, lang)
    return found if found is not None and found.kind == "kb" else None


@lru_cache(maxsize=4096)
def split_questions(text: str, lang: Lang = "en") -> tuple[str, tuple[SideQuestion, ...]]:
    """Take the information questions out of a message that also asks for an action.

    Args:
        text: The customer's message.
        lang: The conversation's language.

    Returns:
        (the message without those questions, the questions in the order written); the message
        itself and () when it asks for no action, or has no such question.
    """
    clauses = clauses_of(text)
    kept: list[str] = []
    questions: list[SideQuestion] = []
    for clause, opening in clauses:
        found = None if opening is not None else _question(clause, lang)
        if found is None:
            kept.append(clause)
        else:
            questions.append(found)
    if not questions:
        return text, ()
    rest = "".join(kept).strip()
    understood = understand(rest, default_lang=lang) if rest else None
    if understood is None or understood.action is None or understood.action == "status":
        return text, ()
    asked = {q.order_id for q in questions if q.order_id is not None}
    if not understood.order_ids and len(asked) == 1:
        # "Where is #W1? Can you cancel it?": the action is for the order asked about.
        rest = f"{rest} ({next(iter(asked))})"
    return rest, tuple(questions)
