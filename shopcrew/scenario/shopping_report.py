"""The shopping guide's figures in a scenario report: a pre-sale funnel from wishes to baskets.

Read from the conversations' messages at the end of the run: a conversation the guide
answered at least once is a wish; its final proposal (the latest `recommend` result) is a
recommendation when it holds items, a decline when nothing fitted. Conversion-style figures
follow: recommended / wishes, baskets' value, items, budgets kept, questions asked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from shopcrew.agents.money import format_money
from shopcrew.agents.shopping import GUIDE, RECOMMEND_TOOL, RecommendResult
from shopcrew.agents.shopping.recommend import budget_bounds

__all__ = ["shopping_figures", "shopping_markdown"]


def _results(messages: Sequence[BaseMessage]) -> list[RecommendResult]:
    found = []
    for message in messages:
        if isinstance(message, ToolMessage) and message.name == RECOMMEND_TOOL:
            try:
                found.append(RecommendResult.model_validate_json(str(message.content)))
            except ValueError:
                continue
    return found


def _asks(text: str) -> bool:
    return "?" in text or "？" in text


def _within_budget(result: RecommendResult) -> bool:
    if result.request is None:
        return True
    high, _, _ = budget_bounds(result.request)
    return high is None or round(result.total * 100) <= high


def shopping_figures(
    thread_messages: Mapping[str, Sequence[BaseMessage]],
    *,
    langs: Mapping[str, str | None],
) -> dict[str, Any]:
    """The `shopping` section of report.json.

    Args:
        thread_messages: Each conversation's messages at the end of the run.
        langs: Each conversation's language, where known.
    """
    wishes, recommended, declined, asked, follow_ups = [], [], [], 0, 0
    value = 0.0
    items = 0
    kept = 0
    by_lang: Counter[str] = Counter()
    for cid, messages in thread_messages.items():
        if not any(isinstance(m, AIMessage) and m.name == GUIDE for m in messages):
            continue
        wishes.append(cid)
        by_lang[langs.get(cid) or "?"] += 1
        results = _results(messages)
        asked += any(
            isinstance(m, AIMessage) and m.name == GUIDE and not m.tool_calls and _asks(m.text)
            for m in messages
        )
        follow_ups += max(0, len(results) - 1)
        final = results[-1] if results else None
        if final is not None and final.status == "ok":
            recommended.append(cid)
            value += final.total
            items += sum(i.quantity for i in final.items)
            kept += _within_budget(final)
        elif final is not None:
            declined.append(cid)
    count = len(wishes)
    return {
        "wishes": count,
        "recommended": len(recommended),
        "declined_nothing_fits": len(declined),
        "no_proposal": count - len(recommended) - len(declined),
        "conversion_rate": round(len(recommended) / count, 4) if count else None,
        "budget_questions": asked,
        "follow_up_recommendations": follow_ups,
        "basket_value": round(value, 2),
        "average_basket": round(value / len(recommended), 2) if recommended else None,
        "items_recommended": items,
        "within_budget": kept,
        "by_lang": dict(by_lang),
    }


def _amount(value: Any, currency: str) -> str | None:
    return None if value is None else format_money(float(value), currency)


def shopping_markdown(section: Mapping[str, Any], *, currency: str = "USD") -> list[str]:
    """The report.md section of the shopping figures (amounts in the shop's `currency`)."""
    rate = section.get("conversion_rate")
    rows = [
        ("Shopping wishes (conversations the guide served)", section.get("wishes")),
        ("Recommended a basket", section.get("recommended")),
        ("Conversion (recommended / wishes)", "-" if rate is None else f"{100 * rate:.1f}%"),
        ("Declined: nothing fits (told why)", section.get("declined_nothing_fits")),
        ("Budget questions asked", section.get("budget_questions")),
        (
            "Follow-up recommendations ('cheaper', '换个颜色')",
            section.get("follow_up_recommendations"),
        ),
        ("Basket value, all recommendations", _amount(section.get("basket_value"), currency)),
        ("Average basket", _amount(section.get("average_basket"), currency)),
        ("Items recommended", section.get("items_recommended")),
        ("Baskets within the shopper's budget", section.get("within_budget")),
    ]
    lines = ["## Shopping guide (pre-sale)", "", "| Figure | Value |", "|---|---|"]
    lines += [f"| {name} | {'-' if value is None else value} |" for name, value in rows]
    return [*lines, ""]
