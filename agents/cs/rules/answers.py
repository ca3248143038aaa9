"""Answers to the information questions a customer asks beside an action (`questions`).

A knowledge-base question is answered in the turn it is asked, from a search for its own words.
An order question needs the customer identified and the order in their own account (rules 1
and 2): it is answered in the turn it is asked if they already are, else in the turn they
identify themselves, so it never has to be asked again. The answers go before the reply to the
action; they read the store but never change it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from shopcrew.agents.cs.rules import replies as say
from shopcrew.agents.cs.rules.actions import Call, NeedTools
from shopcrew.agents.cs.rules.questions import SideQuestion, kb_question
from shopcrew.agents.cs.rules.state import DialogueState
from shopcrew.tools.langchain.identify import CUSTOMER_IDENTIFY_TOOLS
from shopcrew.tools.tau.names import GET_ORDER_DETAILS

__all__ = ["KB_TOOL", "chosen_articles", "kb_reply", "kb_tool", "side_answers"]

KB_TOOL = "search_knowledge_base"


def _articles(result: str | None) -> list[Mapping[str, Any]]:
    try:
        value = json.loads(result or "")
    except ValueError:
        return []
    articles = value.get("articles", []) if isinstance(value, dict) else []
    return [article for article in articles if isinstance(article, dict)]


def chosen_articles(result: str | None, topics: Sequence[str]) -> list[Mapping[str, Any]]:
    """The articles of a search result to quote: those of the topics asked, else the best hit."""
    found = _articles(result)
    chosen = [a for t in topics for a in found if str(a.get("id", "")).startswith(t + "-")]
    return chosen[:2] if chosen else found[:1]


def _due(state: DialogueState, *, ongoing: bool) -> list[SideQuestion]:
    """The questions to answer in the latest turn.

    With a request under way, a message that only asks about the shop's rules is one too: it is
    answered, and the request goes on where it was.
    """
    identified = next(
        (e.turn for e in state.events if e.name in CUSTOMER_IDENTIFY_TOOLS and e.ok),
        None,
    )
    due: list[SideQuestion] = []
    for turn, questions in enumerate(state.questions):
        for question in questions:
            if question.kind == "kb" and turn == state.turn:
                due.append(question)
            elif question.kind == "order" and identified is not None:
                if max(turn, identified) == state.turn:
                    due.append(question)
    if ongoing and state.humans and not state.questions[state.turn]:
        lone = kb_question(state.humans[-1], state.lang)
        if lone is not None:
            due.append(lone)
    return due


def side_answers(
    state: DialogueState, kb_tool: str | None, *, ongoing: bool = False
) -> NeedTools | list[str]:
    """The reads still needed to answer the questions due this turn, else the answers.

    Args:
        state: The dialogue state.
        kb_tool: The knowledge-base search tool, if the model has one.
        ongoing: Whether a request is under way and the reply is about it (not a knowledge-base
            answer already).
    """
    answers: list[str] = []
    asked: set[str] = set()
    for question in _due(state, ongoing=ongoing):
        if question.kind == "kb":
            if kb_tool is None:
                continue
            searches = [
                e
                for e in state.turn_events
                if e.name == kb_tool and e.args.get("query") == question.text
            ]
            if not searches:
                args = {"query": question.text, "lang": state.lang, "k": 5}
                return NeedTools((Call(kb_tool, args),))
            chosen = chosen_articles(searches[-1].result, question.topics)
            if chosen:
                answers.append(say.kb_answer(chosen, state.lang, question=question.text))
            continue
        order_id = question.order_id
        if order_id is None or order_id in asked or state.user is None:
            continue
        asked.add(order_id)
        if order_id not in state.user.get("orders", []):
            answers.append(say.not_your_order(order_id, state.lang))
            continue
        order = state.orders.get(order_id)
        if order is None:
            return NeedTools((Call(GET_ORDER_DETAILS, {"order_id": order_id}),))
        answers.append(say.order_facts(order, state.lang, currency=state.currency))
    return answers


def kb_tool(tool_names: frozenset[str]) -> str | None:
    """The knowledge-base search tool among the bound tools (ours when none are named)."""
    if KB_TOOL in tool_names or not tool_names:
        return KB_TOOL
    return next((name for name in sorted(tool_names) if "knowledge" in name), None)


def kb_reply(state: DialogueState, tool_names: frozenset[str]) -> NeedTools | str:
    """Answer the latest message from the knowledge base: search it first, then reply."""
    tool = kb_tool(tool_names)
    if tool is None:
        return say.kb_answer([], state.lang, offer=True)
    query = state.humans[-1]
    searches = [
        event
        for event in state.turn_events
        if event.name == tool and event.args.get("query", query) == query
    ]
    if not searches:
        args = {"query": query, "lang": state.lang, "k": 5}
        return NeedTools((Call(tool, args),))
    chosen = chosen_articles(searches[-1].result, state.latest().faq)
    return say.kb_answer(chosen, state.lang, question=query, offer=True)
