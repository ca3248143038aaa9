"""The Chinese demo shop (`cn_tmall`): rebuilt byte for byte, read by the τ-bench tools."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from shopcrew.data import kb_path, store_dir, stores
from shopcrew.tools.records import Customer, Order, load_kb, retail_terms
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.tools import TauRetailTools

SHOP = store_dir("cn_tmall")


@pytest.fixture(scope="module")
def shop() -> RetailStore:
    return RetailStore.load(SHOP)


def test_the_builder_rebuilds_the_files_byte_for_byte(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_store", SHOP / "build_store.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("orders", "products", "users"):
        assert (tmp_path / f"{name}.json").read_bytes() == (SHOP / f"{name}.json").read_bytes()


def test_the_shop_is_bundled() -> None:
    assert "cn_tmall" in stores()


def test_every_code_has_a_chinese_word(shop: RetailStore) -> None:
    terms = retail_terms("zh")
    orders = [Order.model_validate(record) for _, record in shop.items("orders")]
    statuses = {order.status for order in orders}
    assert statuses >= {"pending", "processed", "delivered", "cancelled", "return requested"}
    assert all(status in terms.statuses for status in statuses)
    couriers = {f.courier for order in orders for f in order.fulfillments}
    assert couriers == {"SF", "ZTO", "YTO", "YUNDA"}
    assert all(courier in terms.couriers for courier in couriers if courier)
    sources = {m["source"] for _, u in shop.items("users") for m in u["payment_methods"].values()}
    assert sources == {"alipay", "wechat_pay", "huabei", "credit_card", "gift_card"}
    assert all(source in terms.payment_sources for source in sources)
    reasons = {order.cancel_reason for order in orders if order.cancel_reason}
    assert reasons and all(reason in terms.cancel_reasons for reason in reasons)


def test_customers_are_chinese_and_identifiable(shop: RetailStore) -> None:
    customers = [Customer.model_validate(record) for _, record in shop.items("users")]
    assert len(customers) == 100
    for customer in customers:
        assert customer.address.country == "中国"
        assert re.fullmatch(r"\d{6}", customer.address.zip)
        assert customer.address.address2.endswith("区")
        assert customer.phone is not None and re.fullmatch(r"1\d{2}\*{4}\d{4}", customer.phone)
    keys = [(c.name.last_name + c.name.first_name, c.address.zip) for c in customers]
    assert len(set(keys)) == len(keys), "name and 邮编 identify one customer"


def test_the_tau_tools_serve_the_chinese_shop(shop: RetailStore) -> None:
    store = shop.fork()
    tools = TauRetailTools(store)
    user_id, user = next(iter(store.items("users")))
    found = tools.invoke(
        "find_user_id_by_name_zip",
        {
            "first_name": user["name"]["first_name"],
            "last_name": user["name"]["last_name"],
            "zip": user["address"]["zip"],
        },
    )
    assert found == user_id
    order_id = next(o for o, r in store.items("orders") if r["status"] == "pending")
    address = {
        "address1": "文三路100号3幢501室",
        "address2": "西湖区",
        "city": "杭州市",
        "state": "浙江省",
        "country": "中国",
        "zip": "310012",
    }
    tools.invoke("modify_pending_order_address", {"order_id": order_id, **address})
    assert store.get("orders", order_id)["address"] == address  # type: ignore[index]
    tools.invoke("cancel_pending_order", {"order_id": order_id, "reason": "ordered by mistake"})
    assert store.get("orders", order_id)["status"] == "cancelled"  # type: ignore[index]


def test_the_knowledge_base_answers_what_chinese_shoppers_ask() -> None:
    articles = load_kb(kb_path("cn_tmall"))
    text = " ".join(a.title + a.body for a in articles if a.lang == "zh")
    for topic in ("七天无理由", "运费险", "价保", "48小时", "顺丰", "中通", "发票", "仅退款"):
        assert topic in text
    assert "保价" in text and "预售" in text
    assert "$" not in text and "美元" not in text
