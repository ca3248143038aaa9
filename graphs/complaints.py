"""Product complaints heard by the CS agent, posted on the blackboard for the store manager.

A customer who says an item of their order is broken, defective or not as described leaves a
`CustomerComplaint` per item complained about, so the next listing audit re-checks that SKU's
listing and the digest lists it. The check runs in the CS graph at the end of each turn
(`note_complaints`), whatever the chat model, and reads only the conversation and the order.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from shopcrew.agents.cs.guard import read_conversation
from shopcrew.agents.cs.rules.slots import extract_order_ids
from shopcrew.memory.blackboard.entries import CustomerComplaint
from shopcrew.tools.protocols.retail import OrderAdapter
from shopcrew.tools.records.retail import Order, OrderItem

__all__ = ["ComplaintCue", "complaint_cue", "complaints_in", "order_in_question"]

logger = logging.getLogger(__name__)

Severity = Literal["low", "medium", "high"]

_SAFETY: Final = re.compile(
    r"caught fire|on fire|overheat\w*|smok(?:e|ing)|sparks?|electric(?:al)? shock|burn(?:ed|t|s)?"
    r"\b|unsafe|dangerous|injur\w*|起火|着火|冒烟|漏电|烫伤|过热|危险",
    re.IGNORECASE,
)
_DEFECT: Final = re.compile(
    r"broken|damaged|defective|faulty|cracked|shattered|torn|ripped|stopped working|"
    r"(?:does|did|do)(?:n'?t| not) (?:work|turn on|charge|fit together)|won'?t (?:work|turn on)|"
    r"坏了|破损|损坏|摔坏|裂了|开裂|不能用|用不了|无法使用|有瑕疵|次品",
    re.IGNORECASE,
)
_NOT_AS_DESCRIBED: Final = re.compile(
    r"not (?:as|what was|like) (?:described|advertised|pictured|shown|in the (?:photo|picture))|"
    r"(?:different|differs) from (?:the )?(?:photo|picture|description|listing)|"
    r"misleading|fake|counterfeit|(?:poor|cheap|bad|low) quality|wrong (?:item|size|colou?r)|"
    r"与描述不符|和描述不符|货不对板|与图片不符|质量问题|质量太差|质量差|假货|色差",
    re.IGNORECASE,
)
_GRAVEST_FIRST: Final[tuple[tuple[re.Pattern[str], Severity], ...]] = (
    (_SAFETY, "high"),
    (_DEFECT, "medium"),
    (_NOT_AS_DESCRIBED, "low"),
)
_TEXT_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class ComplaintCue:
    """What a customer message says is wrong with a product."""

    severity: Severity
    """high: a safety hazard; medium: broken or defective; low: not as described."""
    phrase: str
    """The words that said so, as the customer wrote them."""


def complaint_cue(text: str) -> ComplaintCue | None:
    """The product complaint in a customer message, if any (the gravest kind wins)."""
    for pattern, severity in _GRAVEST_FIRST:
        found = pattern.search(text)
        if found is not None:
            return ComplaintCue(severity=severity, phrase=found.group(0))
    return None


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else message.text


def order_in_question(messages: Sequence[BaseMessage]) -> str | None:
    """The order the conversation is about: the latest one the customer or the agent named."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            found = extract_order_ids(_text(message))
            if found:
                return found[-1]
        elif isinstance(message, AIMessage):
            for call in reversed(message.tool_calls):
                order_id = call["args"].get("order_id")
                if isinstance(order_id, str) and order_id:
                    return order_id
    return None


def _items_meant(order: Order, text: str) -> list[OrderItem]:
    """The order's items the text names; every distinct item when it names none."""
    distinct = list({item.item_id: item for item in order.items}.values())
    lowered = text.lower()
    named = [item for item in distinct if item.name.lower() in lowered]
    return named or distinct


def complaints_in(
    messages: Sequence[BaseMessage],
    *,
    orders: OrderAdapter,
    handled: Sequence[str] = (),
    author: str = "cs_agent",
) -> tuple[list[CustomerComplaint], list[str]]:
    """Complaints the conversation makes about items of the identified customer's order.

    A customer message counts once: its id joins the handled ones when its complaint is
    posted. A complaint whose order is not known yet (or is not the customer's) waits for a
    later turn, so a customer who names the order after complaining is still heard.

    Args:
        messages: The conversation so far.
        orders: Reads the order the conversation is about.
        handled: Ids of customer messages whose complaints were already posted.
        author: Who posts the entries.

    Returns:
        The new complaints, and the ids of the customer messages they came from.
    """
    customer = read_conversation(messages).customer_id
    order_id = order_in_question(messages)
    if customer is None or order_id is None:
        return [], []
    found: list[CustomerComplaint] = []
    heard: list[str] = []
    order: Order | None = None
    for message in messages:
        if not isinstance(message, HumanMessage) or message.id in handled or message.id is None:
            continue
        text = _text(message)
        cue = complaint_cue(text)
        if cue is None:
            continue
        if order is None:
            try:
                order = orders.get_order(order_id)
            except LookupError:
                logger.info("complaint about unknown order %s left for a later turn", order_id)
                return [], []
            if order.user_id != customer:
                return [], []
        summary = " ".join(text.split())[:_TEXT_CHARS]
        found += [
            CustomerComplaint(
                # One id per message and item: a re-run turn overwrites rather than repeats.
                id=f"{message.id}:{item.item_id}",
                author=author,
                item_id=item.item_id,
                product_id=item.product_id,
                order_id=order.order_id,
                text=f"{cue.phrase}: {summary}",
                severity=cue.severity,
            )
            for item in _items_meant(order, text)
        ]
        heard.append(message.id)
    return found, heard
