"""The shopping guide's rules policy: the next assistant message, decided from the transcript.

Every call re-reads the whole conversation: each shopper message is read (`reading.read`) and
folded into one wish (`Wish`): a message naming products starts a new wish (or adds to it:
"also a T-shirt"); one naming only options, a budget or an objective refines the current one;
"cheaper", "another colour" change the last recommendation. Then: ask for the budget once
when it is missing (unless the cheapest is wanted), say so when the store does not sell the
thing, otherwise call `recommend` with the wish. After the tool answers, its rendered reply
is the message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from shopcrew.agents.shopping import render
from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.lexicon import Lang
from shopcrew.agents.shopping.money import Budget
from shopcrew.agents.shopping.reading import Reading, read
from shopcrew.agents.shopping.tool import RECOMMEND_TOOL
from shopcrew.agents.shopping.wish import Objective, RecommendArgs, RecommendResult, WishGroup

__all__ = ["Wish", "decide_wish", "fold", "shopping_dialogue"]

logger = logging.getLogger(__name__)

RulesDialogue = Callable[[Sequence[BaseMessage], frozenset[str]], AIMessage]
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Wish:
    """The conversation's wish so far."""

    lang: Lang = "en"
    groups: tuple[WishGroup, ...] = ()
    budget: Budget | None = None
    objective: Objective = "any"
    recipient: Literal["male", "female"] | None = None
    gift: bool = False
    names: tuple[str, ...] = ()
    not_sold: str | None = None
    """Set when the latest wish names nothing the store sells."""
    needs_people: bool = False
    asked: frozenset[str] = field(default_factory=frozenset)
    """Questions already asked ('budget', 'people')."""
    last: RecommendResult | None = None
    undo: Wish | None = None
    """The wish before the latest follow-up ('cheaper'): back to it if nothing fits."""

    def args(self) -> RecommendArgs:
        """The wish as the `recommend` tool's arguments."""
        budget = self.budget
        return RecommendArgs(
            groups=list(self.groups),
            budget=float(budget.amount) if budget is not None else None,
            budget_approx=bool(budget and budget.approx),
            budget_min=float(budget.low) if budget is not None and budget.low else None,
            objective=self.objective,
            recipient=self.recipient,
            lang=self.lang,
        )


def _merge_options(
    groups: Sequence[WishGroup], refs: Sequence[tuple[str, str]], catalog: CatalogIndex, *, key: str
) -> tuple[WishGroup, ...]:
    out = []
    for group in groups:
        infos = [catalog.products[t] for t in group.product_types if t in catalog.products]
        exact = [
            (o, v) for o, v in refs if any(v in i.options.get(i.option(o) or "", ()) for i in infos)
        ]
        usable = exact or [(o, v) for o, v in refs if any(i.option(o) for i in infos)]
        if key == "require" and exact:
            usable = exact[:1] + [(o, v) for o, v in exact[1:] if o == exact[0][0]]
        table = {k: list(v) for k, v in getattr(group, key).items()}
        fresh: dict[str, list[str]] = {}
        for option, value in usable:
            spelled = next((n for i in infos if (n := i.option(option)) is not None), option)
            fresh.setdefault(spelled, [])
            if value not in fresh[spelled]:
                fresh[spelled].append(value)
        for option, values in fresh.items():
            table[option] = (
                values
                if key == "require"
                else list(dict.fromkeys([*table.get(option, []), *values]))
            )
        out.append(group.model_copy(update={key: table}))
    return tuple(out)


def _follow_up(wish: Wish, reading: Reading) -> Wish:
    last = wish.last
    if last is None or last.status != "ok":
        return wish
    total = Decimal(str(last.total))
    if reading.cheaper:
        budget = Budget(total - _CENT)
        return replace(wish, budget=budget, objective="any")
    if reading.pricier:
        high = wish.budget.amount if wish.budget is not None else total * 2
        return replace(wish, budget=Budget(max(high, total + _CENT), low=total + _CENT))
    if reading.other_color:
        refs = [
            (option, value)
            for item in last.items
            for option, value in item.options.items()
            if "color" in option.lower()
        ]
        groups = tuple(
            g.model_copy(update={"exclude": _with(g.exclude, [r for r in refs])})
            for g in wish.groups
        )
        return replace(wish, groups=groups)
    return wish


def _with(table: dict[str, list[str]], refs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in table.items()}
    for option, value in refs:
        out.setdefault(option, [])
        if value not in out[option]:
            out[option].append(value)
    return out


def _apply(wish: Wish, reading: Reading, catalog: CatalogIndex) -> Wish:
    """Fold one shopper message into the wish."""
    wish = replace(wish, lang=reading.lang)
    if reading.groups:
        keep = reading.adds and wish.groups
        groups = (*wish.groups, *reading.groups) if keep else reading.groups
        names = (*wish.names, *reading.names) if keep else reading.names
        wish = replace(
            wish,
            groups=groups,
            names=names,
            not_sold=None,
            objective=reading.objective or ("any" if not keep else wish.objective),
            gift=reading.gift and not reading.names,
            needs_people=reading.needs_people,
        )
    elif wish.groups:
        if reading.loose_require:
            wish = replace(
                wish,
                groups=_merge_options(wish.groups, reading.loose_require, catalog, key="require"),
            )
        if reading.loose_exclude:
            wish = replace(
                wish,
                groups=_merge_options(wish.groups, reading.loose_exclude, catalog, key="exclude"),
            )
        changed = _follow_up(wish, reading)
        if changed is not wish:
            wish = replace(changed, undo=wish)
    elif reading.shopping and reading.thing:
        wish = replace(wish, not_sold=reading.thing)
    if reading.groups and reading.loose_exclude:
        wish = replace(
            wish, groups=_merge_options(wish.groups, reading.loose_exclude, catalog, key="exclude")
        )
    if reading.excluded_types:
        wish = replace(
            wish,
            groups=tuple(
                g.model_copy(
                    update={
                        "exclude_types": list(
                            dict.fromkeys([*g.exclude_types, *reading.excluded_types])
                        )
                    }
                )
                if g.interest
                else g
                for g in wish.groups
            ),
        )
    if reading.budget is not None:
        wish = replace(wish, budget=reading.budget)
    if reading.objective is not None:
        wish = replace(wish, objective=reading.objective)
    if reading.recipient is not None:
        wish = replace(wish, recipient=reading.recipient)
    return wish


def _result(message: ToolMessage) -> RecommendResult | None:
    try:
        return RecommendResult.model_validate(json.loads(str(message.content)))
    except (ValueError, TypeError):
        return None


def fold(messages: Sequence[BaseMessage], catalog: CatalogIndex) -> Wish:
    """The conversation's wish: every shopper message read and folded, in order."""
    wish = Wish()
    for message in messages:
        if isinstance(message, HumanMessage):
            wish = _apply(wish, read(message.text, catalog), catalog)
        elif isinstance(message, ToolMessage) and message.name == RECOMMEND_TOOL:
            result = _result(message)
            if wish.undo is not None and (result is None or result.status != "ok"):
                wish = replace(wish.undo, asked=wish.asked, lang=wish.lang)
            else:
                wish = replace(wish, last=result, undo=None)
        elif isinstance(message, AIMessage) and not message.tool_calls:
            asked = wish.asked | set(message.additional_kwargs.get("shopping_asked", []))
            wish = replace(wish, asked=frozenset(asked))
    return wish


def _ask(text: str, topic: str) -> AIMessage:
    return AIMessage(content=text, additional_kwargs={"shopping_asked": [topic]})


def decide_wish(wish: Wish, tool_names: frozenset[str], *, call_id: str) -> AIMessage:
    """The next message for a folded wish: a question, a refusal or a `recommend` call."""
    if wish.not_sold is not None and not wish.groups:
        return AIMessage(content=render.not_sold(wish.not_sold, wish.lang))
    if not wish.groups:
        return AIMessage(content=render.ask_what(wish.lang))
    if wish.needs_people and "people" not in wish.asked:
        return _ask(render.ask_people(wish.lang), "people")
    if wish.budget is None and wish.objective != "cheapest" and "budget" not in wish.asked:
        return _ask(render.ask_budget(wish.names, wish.lang, gift=wish.gift), "budget")
    if tool_names and RECOMMEND_TOOL not in tool_names:
        return AIMessage(content=render.ask_what(wish.lang))
    call = {
        "name": RECOMMEND_TOOL,
        "args": wish.args().model_dump(exclude_defaults=True),
        "id": call_id,
    }
    return AIMessage(content="", tool_calls=[call])


def shopping_dialogue(catalog: CatalogIndex) -> RulesDialogue:
    """The rules policy of the shopping guide over one catalog (for `RulesChatModel`)."""

    def decide(messages: Sequence[BaseMessage], tool_names: frozenset[str]) -> AIMessage:
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage) and last.name == RECOMMEND_TOOL:
            result = _result(last)
            return AIMessage(content=result.reply if result else str(last.content))
        turn = sum(isinstance(m, AIMessage) for m in messages)
        wish = fold(messages, catalog)
        return decide_wish(wish, tool_names, call_id=f"call_{turn}")

    return decide
