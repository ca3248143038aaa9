"""One address written once for two requests that both take it: it serves each, each confirmed.

Customers and orders are picked from the reference store by what they hold (skipping the CS dev
set's customers); every sentence is written here, in English and Chinese.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest
from cs_policy_loop import DB, SHARED, orders, play, users

from shopcrew.agents.cs.rules.segments import split_requests
from shopcrew.agents.cs.rules.slots import Address, extract_addresses

pytestmark = pytest.mark.skipif(not DB.exists(), reason="no ../shared/tau-retail")

Rec = Mapping[str, Any]
YES_EN = "Yes, please go ahead."
YES_ZH = "确认，就这样吧"
NEW = Address("48 Quarry Lane", "Unit 7", "Dayton", "OH", "45402")
NEW_TEXT = "48 Quarry Lane, Unit 7, Dayton, OH 45402, USA"
ARGS = {
    "address1": "48 Quarry Lane",
    "address2": "Unit 7",
    "city": "Dayton",
    "state": "OH",
    "country": "USA",
    "zip": "45402",
}


@cache
def _dev_users() -> frozenset[str]:
    path = SHARED / "eval" / "cs_dev.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(str(json.loads(line).get("user_id")) for line in lines)


def _two_pending() -> tuple[str, Rec, str, str]:
    """(user id, user, first pending order id, second pending order id), bare ids."""
    for user_id, user in users().items():
        if user_id in _dev_users():
            continue
        pending = [o for o in user["orders"] if orders()[o]["status"] == "pending"]
        if len(pending) >= 2:
            return user_id, user, pending[0].lstrip("#"), pending[1].lstrip("#")
    raise AssertionError("no customer with two pending orders")


def test_two_addresses_in_one_message_are_both_found() -> None:
    text = f"Send #W1111111 to {NEW_TEXT} and #W2222222 to 9 Birch Ave, Reno, NV 89501, USA."
    found = extract_addresses(text)
    assert found == (NEW, Address("9 Birch Ave", "", "Reno", "NV", "89501"))


def test_an_address_right_after_chinese_words_is_read() -> None:
    assert extract_addresses(f"地址改成{NEW_TEXT}") == (NEW,)


@pytest.mark.parametrize(
    "text",
    [
        f"Could you update the delivery address on #W1111111 and #W2222222 to {NEW_TEXT}?",
        f"W1111111和W2222222这两单的收货地址都换成{NEW_TEXT}，谢谢",
        f"Please send #W1111111 to {NEW_TEXT}, and set that as my default address as well.",
        f"订单W1111111的收货地址改成{NEW_TEXT}，另外我的默认地址也改成这个",
        f"#W1111111 and #W2222222 should both go to {NEW_TEXT}.",
        f"W1111111和W2222222都寄到{NEW_TEXT}",
        f"Set my default address to {NEW_TEXT}, and also ship order #W1111111 there.",
    ],
)
def test_each_request_of_the_message_gets_the_address(text: str) -> None:
    segments = split_requests(text, "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en")
    assert len(segments) == 2
    assert [segment.understood.address for segment in segments] == [NEW, NEW]


def test_two_different_addresses_each_stay_with_their_request() -> None:
    other = Address("9 Birch Ave", "", "Reno", "NV", "89501")
    text = (
        f"Change the shipping address of #W1111111 to {NEW_TEXT}. "
        "Also change my default address to 9 Birch Ave, Reno, NV 89501, USA."
    )
    segments = split_requests(text, "en")
    assert [(s.action, s.understood.address) for s in segments] == [
        ("modify_address", NEW),
        ("user_address", other),
    ]


@pytest.mark.parametrize(
    ("lang", "template"),
    [
        (
            "en",
            "Hello, I'm {email}. Could you update the delivery address on #{a} and #{b} to {addr}?",
        ),
        ("zh", "您好，邮箱{email}。{a}和{b}这两单的收货地址都换成{addr}，谢谢"),
        ("en", "This is {email}. #{a} and #{b} should both go to {addr}."),
        ("zh", "我是{email}，{a}和{b}都寄到{addr}"),
    ],
)
def test_one_address_moves_two_pending_orders_each_after_its_own_yes(
    lang: str, template: str
) -> None:
    _, user, first, second = _two_pending()
    yes = YES_ZH if lang == "zh" else YES_EN
    text = template.format(email=user["email"], a=first, b=second, addr=NEW_TEXT)
    played = play([text, yes, yes])
    assert played.writes() == [
        (1, "modify_pending_order_address", {"order_id": f"#{first}", **ARGS}),
        (2, "modify_pending_order_address", {"order_id": f"#{second}", **ARGS}),
    ]
    # The second request is proposed with the address, not asked for it again.
    assert NEW.address1 in played.replies[1]


@pytest.mark.parametrize(
    ("lang", "template"),
    [
        (
            "en",
            "Hi, email {email}. Please send #{a} to {addr}, "
            "and set that as my default address as well.",
        ),
        ("zh", "你好，我的邮箱是{email}。订单{a}的收货地址改成{addr}，另外我的默认地址也改成这个"),
        ("en", "Hi, {email}. Set my default address to {addr}, and also ship order #{a} there."),
    ],
)
def test_one_address_serves_an_order_and_the_default_address(lang: str, template: str) -> None:
    user_id, user, first, _ = _two_pending()
    yes = YES_ZH if lang == "zh" else YES_EN
    text = template.format(email=user["email"], a=first, addr=NEW_TEXT)
    played = play([text, yes, yes])
    order = ("modify_pending_order_address", {"order_id": f"#{first}", **ARGS})
    default = ("modify_user_address", {"user_id": user_id, **ARGS})
    # Taken in the order written.
    written = [order, default] if text.index(first) < text.index(NEW_TEXT) else [default, order]
    assert played.writes() == [(turn, *write) for turn, write in enumerate(written, start=1)]


def test_the_shared_address_still_waits_for_a_yes_per_change() -> None:
    _, user, first, second = _two_pending()
    text = (
        f"Hi, I'm {user['email']}. Please change the address of #{first} and #{second} "
        f"to {NEW_TEXT}."
    )
    played = play([text, YES_EN, "Hmm, let me think about the other one."])
    assert [(turn, name) for turn, name, _ in played.writes()] == [
        (1, "modify_pending_order_address")
    ]
    assert played.writes()[0][2]["order_id"] == f"#{first}"


@pytest.mark.parametrize(
    ("lang", "template"),
    [
        ("en", "Hi, {email}. Change the address on #{a} to {addr}. Same for #{b}."),
        ("en", "Hi, {email}. Change the shipping address of #{a} to {addr}, and #{b} too."),
        ("zh", "你好，邮箱{email}。{a}的收货地址改成{addr}，{b}也一样"),
    ],
)
def test_the_same_for_another_order_reuses_the_address(lang: str, template: str) -> None:
    _, user, first, second = _two_pending()
    yes = YES_ZH if lang == "zh" else YES_EN
    played = play(
        [template.format(email=user["email"], a=first, b=second, addr=NEW_TEXT), yes, yes]
    )
    assert played.writes() == [
        (1, "modify_pending_order_address", {"order_id": f"#{first}", **ARGS}),
        (2, "modify_pending_order_address", {"order_id": f"#{second}", **ARGS}),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Cancel #W1111111, I ordered it by mistake, and #W2222222 too.", "ordered by mistake"),
        ("W1111111取消掉，用不上了，W2222222也一样", "no longer needed"),
    ],
)
def test_the_same_for_another_order_keeps_the_reason(text: str, reason: str) -> None:
    segments = split_requests(text, "en" if text.isascii() else "zh")
    assert [(s.action, s.understood.order_ids, s.understood.reason) for s in segments] == [
        ("cancel", ("#W1111111",), reason),
        ("cancel", ("#W2222222",), reason),
    ]


@pytest.mark.parametrize(
    ("lang", "later"),
    [("en", "Also make that my default address."), ("zh", "另外默认地址也改成这个")],
)
def test_a_later_default_address_change_can_point_back_to_the_address(
    lang: str, later: str
) -> None:
    user_id, user, first, _ = _two_pending()
    yes = YES_ZH if lang == "zh" else YES_EN
    text = f"Hi, {user['email']}. Please ship #{first} to {NEW_TEXT}."
    played = play([text, yes, later, yes])
    assert played.writes() == [
        (1, "modify_pending_order_address", {"order_id": f"#{first}", **ARGS}),
        (3, "modify_user_address", {"user_id": user_id, **ARGS}),
    ]


def test_a_later_default_address_change_without_pointing_back_asks_for_it() -> None:
    _, user, first, _ = _two_pending()
    text = f"Hi, {user['email']}. Please ship #{first} to {NEW_TEXT}."
    played = play([text, YES_EN, "I also want to change my default address.", YES_EN])
    assert [name for _, name, _ in played.writes()] == ["modify_pending_order_address"]
    assert NEW.address1 not in played.replies[2]
