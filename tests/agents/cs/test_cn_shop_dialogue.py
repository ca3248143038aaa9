"""The CS agent (rules model) serving the Chinese shop `cn_tmall`: Chinese names and 邮编,
Chinese addresses, payment methods by kind (支付宝, 花呗, 银行卡尾号…), amounts in ¥.

Customers and orders are picked from the bundled shop by what they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pytest
from cs_policy_loop import Played, play

from shopcrew.agents.cs.rules.slots import extract_address, extract_name, extract_payment_refs
from shopcrew.data import kb_path, store_dir
from shopcrew.tools.reference.store import RetailStore

NEW_ADDRESS = "浙江省杭州市西湖区文三路 100 号 3 幢 501，邮编 310012"
NEW_ARGS = {
    "address1": "文三路100号3幢501",
    "address2": "西湖区",
    "city": "杭州市",
    "state": "浙江省",
    "country": "中国",
    "zip": "310012",
}


@cache
def _shop() -> RetailStore:
    return RetailStore.load(store_dir("cn_tmall"))


def _play(turns: list[str]) -> Played:
    return play(turns, store=_shop(), kb=kb_path("cn_tmall"), currency="CNY")


def _find(
    test: Callable[[Mapping[str, Any], Mapping[str, Any]], bool],
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    for _, user in _shop().items("users"):
        for order_id in user["orders"]:
            order = _shop().get("orders", order_id)
            assert order is not None
            if test(user, order):
                return user, order
    raise LookupError("no such customer and order in cn_tmall")


def _who(user: Mapping[str, Any]) -> str:
    name = user["name"]
    return f"我是{name['last_name']}{name['first_name']}，邮编{user['address']['zip']}"


def _paid_with(prefix: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], bool]:
    def test(_: Mapping[str, Any], order: Mapping[str, Any]) -> bool:
        history = order["payment_history"]
        return len(history) == 1 and history[0]["payment_method_id"].startswith(prefix)

    return test


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是宋霞，邮编430074", ("霞", "宋")),
        ("宋霞，邮编 430074", ("霞", "宋")),
        ("我叫欧阳子涵想问下订单", ("子涵", "欧阳")),
        ("我是王伟想取消订单W1234567", ("伟", "王")),
        ("我是李先生", None),
    ],
)
def test_chinese_names_split_at_the_surname(text: str, expected: tuple[str, str] | None) -> None:
    assert extract_name(text) == expected


@pytest.mark.parametrize(
    ("text", "state", "city", "district", "detail", "zip_code"),
    [
        (NEW_ADDRESS, "浙江省", "杭州市", "西湖区", "文三路100号3幢501", "310012"),
        ("改成上海市浦东新区世纪大道100号5楼，邮编200120", "上海市", "上海市", "浦东新区",
         "世纪大道100号5楼", "200120"),
        ("地址：北京朝阳区建国路88号A座1201 100020", "北京市", "北京市", "朝阳区",
         "建国路88号A座1201", "100020"),
        ("改到广东深圳市南山区科技园南路15号 邮编518057", "广东省", "深圳市", "南山区",
         "科技园南路15号", "518057"),
    ],
)  # fmt: skip
def test_chinese_addresses_fill_the_tau_fields(
    text: str, state: str, city: str, district: str, detail: str, zip_code: str
) -> None:
    address = extract_address(text)
    assert address is not None
    assert (address.state, address.city, address.address2) == (state, city, district)
    assert (address.address1, address.zip, address.country) == (detail, zip_code, "中国")


def test_wallets_and_store_credit_are_payment_kinds() -> None:
    refs = extract_payment_refs("不用花呗，换成购物金；或者支付宝、微信支付、银行卡尾号3713")
    kinds = [(ref.kind, ref.last4, ref.negated) for ref in refs]
    assert kinds == [
        ("huabei", None, True),
        ("gift_card", None, False),
        ("alipay", None, False),
        ("wechat_pay", None, False),
        ("credit_card", "3713", False),
    ]


def test_name_and_zip_identify_and_a_chinese_address_is_written_in_chinese() -> None:
    user, order = _find(lambda _, o: o["status"] == "pending")
    played = _play(
        [_who(user), f"订单{order['order_id']}的地址改到 {NEW_ADDRESS}", "确认"],
    )
    name = user["name"]
    assert played.calls[0][1:3] == (
        "find_user_id_by_name_zip",
        {"first_name": name["first_name"], "last_name": name["last_name"],
         "zip": user["address"]["zip"]},
    )  # fmt: skip
    assert "浙江省杭州市西湖区文三路100号3幢501，邮编 310012" in played.replies[1]
    old = order["address"]
    assert f"{old['state']}" in played.replies[1] and old["address1"] in played.replies[1]
    args = {"order_id": order["order_id"], **NEW_ARGS}
    assert played.writes() == [(2, "modify_pending_order_address", args)]


def test_a_payment_change_names_the_wallet_and_the_amount_in_yuan() -> None:
    user, order = _find(
        lambda u, o: (
            o["status"] == "pending"
            and _paid_with("credit_card")(u, o)
            and any(m["source"] == "alipay" for m in u["payment_methods"].values())
        )
    )
    alipay = next(k for k, m in user["payment_methods"].items() if m["source"] == "alipay")
    card = user["payment_methods"][order["payment_history"][0]["payment_method_id"]]
    played = _play([_who(user), f"订单{order['order_id']}改用支付宝付款", "确认"])
    amount = order["payment_history"][0]["amount"]
    assert f"¥{amount:,.2f}" in played.replies[1]
    assert "支付宝" in played.replies[1]
    assert f"尾号{card['last_four']}的{card['brand']}卡" in played.replies[1]
    args = {"order_id": order["order_id"], "payment_method_id": alipay}
    assert played.writes() == [(2, "modify_pending_order_payment", args)]


def test_a_return_goes_to_the_bank_card_named_by_its_last_four_digits() -> None:
    user, order = _find(
        lambda u, o: o["status"] == "delivered" and len(o["items"]) == 1
        and _paid_with("credit_card")(u, o)
    )  # fmt: skip
    method_id = order["payment_history"][0]["payment_method_id"]
    last_four = user["payment_methods"][method_id]["last_four"]
    item = order["items"][0]
    played = _play(
        [
            _who(user),
            f"订单{order['order_id']}的{item['name']}要退货，退到银行卡尾号{last_four}",
            "确认",
        ]
    )
    assert f"¥{item['price']:,.2f}" in played.replies[1]
    args = {"order_id": order["order_id"], "item_ids": [item["item_id"]],
            "payment_method_id": method_id}  # fmt: skip
    assert played.writes() == [(2, "return_delivered_order_items", args)]


def test_an_introduction_with_a_greeting_question_identifies_instead_of_searching_the_kb() -> None:
    # "亲，在吗？我是…，邮编…": the question is a greeting; the name and 邮编 are what it gives.
    user, _ = _find(lambda _, o: o["status"] == "pending")
    played = _play([f"亲，在吗？{_who(user)}。"])
    assert played.calls[0][1] == "find_user_id_by_name_zip"
    assert "知识库" not in played.replies[0]


def test_a_refund_to_store_credit_is_called_the_same_in_the_proposal_and_the_recap() -> None:
    user, order = _find(lambda u, o: o["status"] == "pending" and _paid_with("gift_card")(u, o))
    played = _play([_who(user), f"帮我取消订单{order['order_id']}，拍错了", "确认"])
    assert "购物金" in played.replies[1] and "购物金" in played.replies[2]
    assert "礼品卡" not in played.replies[2]
