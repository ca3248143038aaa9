"""Chinese shoppers identify with their name and 手机号: the last four digits (手机尾号) or the
full number, in the messages they really write (亲, emoji, spaced numbers).

The customer is found by `find_user_id_by_name_phone` over the masked numbers the shop keeps
(`135****6712`); the guard lets it run only with the name and the digits the customer typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from itertools import count
from typing import Any

import pytest
from cs_policy_loop import Played, play
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig

from shopcrew import build_cs_agent
from shopcrew.agents.cs.rules.zh_slots import extract_phone
from shopcrew.agents.policy import CsSettings, Policy
from shopcrew.data import kb_path, store_dir
from shopcrew.models import ScriptedChatModel
from shopcrew.tools import Adapters
from shopcrew.tools.langchain.identify import FIND_USER_ID_BY_NAME_PHONE, build_identify_tools
from shopcrew.tools.reference.store import RetailStore

PHONE_TOOL = FIND_USER_ID_BY_NAME_PHONE


@cache
def _shop() -> RetailStore:
    return RetailStore.load(store_dir("cn_tmall"))


def _play(turns: list[str]) -> Played:
    return play(turns, store=_shop(), kb=kb_path("cn_tmall"), currency="CNY")


def _customer(status: str) -> tuple[str, Mapping[str, Any], Mapping[str, Any]]:
    """A customer with an order of `status` whose name and phone tail no one else shares."""
    users = list(_shop().items("users"))
    for user_id, user in users:
        key = (user["name"]["last_name"], user["name"]["first_name"], user["phone"][-4:])
        twins = [
            u for _, u in users
            if (u["name"]["last_name"], u["name"]["first_name"], u["phone"][-4:]) == key
        ]  # fmt: skip
        for order_id in user["orders"]:
            order = _shop().get("orders", order_id)
            if len(twins) == 1 and order is not None and order["status"] == status:
                return user_id, user, order
    raise LookupError(f"no customer with a {status} order in cn_tmall")


def _full(masked: str) -> str:
    """A full number that the masked one shows (`135****6712` -> `13512346712`)."""
    return masked.replace("****", "1234")


def _name(user: Mapping[str, Any]) -> str:
    return f"{user['name']['last_name']}{user['name']['first_name']}"


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("亲，我是宋霞，手机尾号8848😊", "8848"),
        ("宋霞 手机后四位是 6712 哦", "6712"),
        ("我叫宋霞，电话135-1234-6712，帮我看下订单", "13512346712"),
        ("宋霞 +86 135 1234 6712", "13512346712"),
        ("订单#W1234567，邮编430074", None),
        ("尾号12345的卡", None),
    ],
)
def test_the_phone_is_read_as_its_last_four_digits_or_the_full_number(
    text: str, phone: str | None
) -> None:
    assert extract_phone(text) == phone


def test_the_json_backend_matches_a_masked_number_by_the_digits_it_shows() -> None:
    user_id, user, _ = _customer("pending")
    tool = build_identify_tools(Adapters.from_store(_shop().fork()).customers)[0]
    first, last, masked = user["name"]["first_name"], user["name"]["last_name"], user["phone"]
    found = {
        phone: tool.invoke({"first_name": first, "last_name": last, "phone": phone})
        for phone in (masked[-4:], _full(masked), "199" + _full(masked)[3:])
    }
    assert found == {
        masked[-4:]: user_id,
        _full(masked): user_id,
        "199" + _full(masked)[3:]: "Error: user not found",  # another prefix: not theirs
    }


def test_name_and_phone_tail_identify_and_answer_the_order_status() -> None:
    user_id, user, order = _customer("processed")
    tail = user["phone"][-4:]
    played = _play([f"亲，在吗？我是{_name(user)}，手机尾号{tail}🙏 订单{order['order_id']}到哪了"])
    name = user["name"]
    assert played.calls[0][1:] == (
        PHONE_TOOL,
        {"first_name": name["first_name"], "last_name": name["last_name"], "phone": tail},
        user_id,
    )
    assert "已发货" in played.replies[0] and order["order_id"].lstrip("#") in played.replies[0]


def test_a_full_phone_number_identifies_and_a_cancel_goes_through_on_yes() -> None:
    _, user, order = _customer("pending")
    spaced = _full(user["phone"])
    spaced = f"{spaced[:3]} {spaced[3:7]} {spaced[7:]}"
    played = _play(
        [f"{_name(user)}，手机号 {spaced}", f"帮我取消订单{order['order_id']}，拍错了😭", "确认"]
    )
    assert played.names()[0] == PHONE_TOOL
    assert played.writes() == [
        (2, "cancel_pending_order", {"order_id": order["order_id"], "reason": "ordered by mistake"})
    ]


def test_a_wrong_tail_identifies_nobody_and_reads_nothing() -> None:
    _, user, order = _customer("pending")
    wrong = f"{(int(user['phone'][-4:]) + 1) % 10000:04d}"
    played = _play([f"我是{_name(user)}，手机尾号{wrong}，订单{order['order_id']}发货了吗"])
    assert played.names() == [PHONE_TOOL, PHONE_TOOL]  # the name read both ways, then it stops
    assert all(result.startswith("Error:") for *_, result in played.calls)
    assert "get_order_details" not in played.names()


def test_the_guard_looks_up_only_a_phone_the_customer_typed() -> None:
    """Any model (here a scripted one) may identify by phone only with the digits typed."""
    user_id, user, _ = _customer("pending")
    name = {"first_name": user["name"]["first_name"], "last_name": user["name"]["last_name"]}
    full = _full(user["phone"])
    turns = [f"我是{_name(user)}", f"我是{_name(user)}，手机尾号 {full[-4:]}"]
    planned = [
        AIMessage(content="", tool_calls=[_call(PHONE_TOOL, **name, phone=full[-4:])]),
        AIMessage(content="", tool_calls=[_call(PHONE_TOOL, **name, phone=full[-4:])]),
    ]

    def reply(messages: list[BaseMessage]) -> AIMessage:
        asked = sum(isinstance(m, HumanMessage) for m in messages) - 1
        answered = isinstance(messages[-1], ToolMessage)
        return AIMessage(content="好的。") if answered else planned[asked]

    agent = build_cs_agent(
        model=ScriptedChatModel(reply=reply),
        adapters=Adapters.from_store(_shop().fork()),
        policy=Policy(currency="CNY", customer_service=CsSettings(interrupt_on_escalation=False)),
    )
    config: RunnableConfig = {"configurable": {"thread_id": "phone-guard"}}
    for text in turns:
        agent.invoke({"messages": [HumanMessage(text)]}, config)
    results = [
        (m.status, str(m.content))
        for m in agent.get_state(config).values["messages"]
        if isinstance(m, ToolMessage) and m.name == PHONE_TOOL
    ]
    assert [status for status, _ in results] == ["error", "success"]
    assert results[1][1] == user_id


_IDS = count()


def _call(name: str, **args: Any) -> ToolCall:
    return ToolCall(name=name, args=args, id=f"call_{next(_IDS)}", type="tool_call")
