"""The retail adapters over a real reference platform server on loopback, vs the JSON backend."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.platform_server import PlatformServer

from shopcrew.data import store_dir
from shopcrew.errors import (
    IdempotencyConflictError,
    PlatformUnavailableError,
    RetailRuleError,
    RunAbortedError,
    ToolInputError,
    UnknownRecordError,
)
from shopcrew.tools import Adapters, RetailStore, build_json_adapters
from shopcrew.tools.mcp import McpAdsAdapter, McpConnection, build_mcp_adapters
from shopcrew.tools.records.retail import Address

pytestmark = pytest.mark.slow  # a server process

ADDRESS = Address(
    address1="1 Loop Rd", address2="", city="Austin", country="USA", state="TX", zip="78701"
)


def _hash(url: str) -> str:
    with McpConnection(url) as connection:
        digest = connection.call("reference_store_sha256", {}).data
    assert digest is not None
    return str(digest["sha256"])


def _pending(store: RetailStore, skip: int = 0) -> str:
    pending = (o for o, r in store.items("orders") if r["status"] == "pending")
    return next(itertools.islice(pending, skip, None))


def test_reads_equal_the_json_backend(platform_url: str, base_store: RetailStore) -> None:
    catalog, orders, customers = build_mcp_adapters(platform_url)
    json_catalog, json_orders, json_customers = build_json_adapters(base_store.fork())
    order_ids = [key for key, _ in itertools.islice(base_store.items("orders"), 0, 1000, 97)]
    for order_id in order_ids:
        order = orders.get_order(order_id)
        assert order == json_orders.get_order(order_id)
        customer = customers.get_customer(order.user_id)
        assert customer == json_customers.get_customer(order.user_id)
        assert orders.list_orders(order.user_id) == json_orders.list_orders(order.user_id)
        found = customers.find_customer_id_by_name_zip(
            customer.name.first_name, customer.name.last_name, customer.address.zip
        )
        assert found == json_customers.find_customer_id_by_name_zip(
            customer.name.first_name, customer.name.last_name, customer.address.zip
        )
        assert customers.find_customer_id_by_email(customer.email.upper()) == order.user_id
    assert catalog.list_products() == json_catalog.list_products()
    assert catalog.list_product_types() == json_catalog.list_product_types()
    product_id = next(iter(catalog.list_product_types().values()))
    assert catalog.get_product(product_id) == json_catalog.get_product(product_id)


async def test_async_twins_equal_the_sync_methods(
    platform_url: str, base_store: RetailStore
) -> None:
    catalog, orders, customers = build_mcp_adapters(platform_url)
    order_id = _pending(base_store)
    order = await orders.aget_order(order_id)
    assert order == orders.get_order(order_id)
    assert await customers.aget_customer(order.user_id) == customers.get_customer(order.user_id)
    assert await catalog.alist_product_types() == catalog.list_product_types()
    done = await orders.acancel_order(order_id, reason="ordered by mistake", idempotency_key="a1")
    assert done.status == "cancelled" and orders.get_order(order_id) == done


def test_errors_are_ours_and_a_refused_write_changes_nothing(
    platform_url: str, base_store: RetailStore
) -> None:
    _, orders, customers = build_mcp_adapters(platform_url)
    before = _hash(platform_url)
    with pytest.raises(UnknownRecordError) as missing:
        orders.get_order("#W0000000")
    assert (missing.value.kind, missing.value.record_id) == ("order", "#W0000000")
    with pytest.raises(UnknownRecordError) as missing:
        customers.get_customer("nobody_1")
    assert missing.value.kind == "customer"
    order_id = _pending(base_store)
    with pytest.raises(UnknownRecordError) as missing:
        orders.modify_order_payment(order_id, payment_method_id="gift_card_0000000")
    assert missing.value.kind == "payment method"
    delivered = next(o for o, r in base_store.items("orders") if r["status"] == "delivered")
    with pytest.raises(RetailRuleError) as refused:
        orders.cancel_order(delivered, reason="no longer needed")
    assert refused.value.rule == "non-pending order cannot be cancelled"
    assert _hash(platform_url) == before == base_store.store_sha256()


def test_a_write_repeated_with_its_key_applies_once(
    platform_url: str, base_store: RetailStore
) -> None:
    _, orders, customers = build_mcp_adapters(platform_url)
    ours = base_store.fork()
    _, json_orders, json_customers = build_json_adapters(ours)
    order_id = _pending(base_store)
    first = orders.cancel_order(order_id, reason="no longer needed", idempotency_key="k1")
    again = orders.cancel_order(order_id, reason="no longer needed", idempotency_key="k1")
    assert again == first == json_orders.cancel_order(order_id, reason="no longer needed")
    with pytest.raises(IdempotencyConflictError):
        orders.cancel_order(order_id, reason="ordered by mistake", idempotency_key="k1")
    user = first.user_id
    moved = customers.modify_customer_address(user, ADDRESS, idempotency_key="k2")
    assert moved == json_customers.modify_customer_address(user, ADDRESS)
    assert _hash(platform_url) == ours.store_sha256()


def test_adapters_bundle_takes_retail_and_ads_from_the_platform(platform_url: str) -> None:
    reference = Adapters.reference()
    adapters = reference.with_platform_mcp(platform_url)
    assert type(adapters.orders).__name__ == "McpOrderAdapter"
    assert isinstance(adapters.ads, McpAdsAdapter)  # the reference table maps ads too
    assert (adapters.listings, adapters.kb) == (reference.listings, reference.kb)
    assert adapters.orders.get_order("#W9077205") == reference.orders.get_order("#W9077205")


def test_no_server_is_a_clear_error_naming_url_and_tool(platform: PlatformServer) -> None:
    url = platform.start()
    platform.stop()
    _, orders, _ = build_mcp_adapters(url)
    with pytest.raises(PlatformUnavailableError) as gone:
        orders.get_order("#W9077205")
    assert (gone.value.url, gone.value.tool) == (url, "order_get")
    assert url in str(gone.value) and "order_get" in str(gone.value)
    assert isinstance(gone.value, RunAbortedError)  # not told to the model: the run ends


def test_a_server_gone_before_the_write_wrote_nothing_and_the_retry_applies_once(
    platform: PlatformServer, base_store: RetailStore
) -> None:
    url = platform.start("--exit-before", "order_cancel")
    _, orders, _ = build_mcp_adapters(url)
    order_id = _pending(base_store, skip=1)
    assert orders.get_order(order_id).status == "pending"
    with pytest.raises(PlatformUnavailableError) as gone:
        orders.cancel_order(order_id, reason="no longer needed", idempotency_key="w1")
    assert gone.value.tool == "order_cancel"
    assert platform.wait_exit() == 75
    assert platform.journaled() == []
    platform.restart()
    # The same adapters (and connection) reconnect; the store was never changed.
    assert orders.get_order(order_id).status == "pending"
    done = orders.cancel_order(order_id, reason="no longer needed", idempotency_key="w1")
    assert done.status == "cancelled"
    assert platform.journaled() == ["order_cancel"]


def test_a_server_gone_after_the_write_gives_back_its_result_on_the_retry(
    platform: PlatformServer, base_store: RetailStore, tmp_path: Path
) -> None:
    url = platform.start("--exit-after", "order_cancel")
    _, orders, _ = build_mcp_adapters(url)
    order_id = _pending(base_store, skip=2)
    with pytest.raises(PlatformUnavailableError):
        orders.cancel_order(order_id, reason="ordered by mistake", idempotency_key="w2")
    assert platform.wait_exit() == 75
    platform.restart()  # replays its journal: the write and its key
    done = orders.cancel_order(order_id, reason="ordered by mistake", idempotency_key="w2")
    assert done.status == "cancelled"
    assert platform.journaled() == ["order_cancel"]
    ours = base_store.fork()
    _, json_orders, _ = build_json_adapters(ours)
    assert done == json_orders.cancel_order(order_id, reason="ordered by mistake")
    assert _hash(url) == ours.store_sha256()


def test_threads_share_one_connection(platform_url: str, base_store: RetailStore) -> None:
    _, orders, _ = build_mcp_adapters(platform_url)
    _, json_orders, _ = build_json_adapters(base_store.fork())
    order_ids = [key for key, _ in itertools.islice(base_store.items("orders"), 0, 40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(orders.get_order, order_ids))
    assert found == [json_orders.get_order(order_id) for order_id in order_ids]


def test_campaigns_over_the_platform_equal_the_json_backend(tmp_path: Path) -> None:
    server = PlatformServer(tmp_path, store_dir("us_retail"))
    try:
        adapters = Adapters.reference().with_platform_mcp(server.start())
        ads, ours = adapters.ads, Adapters.reference().ads
        assert isinstance(ads, McpAdsAdapter)
        assert ads.list_campaigns() == ours.list_campaigns()
        campaign = ours.list_campaigns()[0]
        assert ads.get_campaign(campaign.id) == campaign
        budget = campaign.min_budget + 1
        first = ads.set_campaign_budget(campaign.id, budget, idempotency_key="b1")
        assert first == ads.set_campaign_budget(campaign.id, budget, idempotency_key="b1")
        assert first == ours.set_campaign_budget(campaign.id, budget)
        assert ads.pause_campaign(campaign.id, idempotency_key="b2").status == "paused"
        with pytest.raises(ToolInputError):
            ads.set_campaign_budget(campaign.id, -5.0, idempotency_key="b3")
        with pytest.raises(UnknownRecordError) as missing:
            ads.get_campaign("cmp-none")
        assert missing.value.kind == "campaign"
        assert server.journaled() == ["marketing_budget_update", "marketing_campaign_pause"]
    finally:
        server.stop()


def test_a_chinese_shopper_is_found_by_name_and_mobile_as_on_the_json_backend(
    tmp_path: Path,
) -> None:
    shop = RetailStore.load(store_dir("cn_tmall"))
    server = PlatformServer(tmp_path, store_dir("cn_tmall"))
    try:
        _, _, customers = build_mcp_adapters(server.start())
        _, _, json_customers = build_json_adapters(shop.fork())
        for user_id, user in itertools.islice(shop.items("users"), 0, 100, 17):
            first, last = user["name"]["first_name"], user["name"]["last_name"]
            tail, full = user["phone"][-4:], user["phone"].replace("****", "0000")
            for phone in (tail, full):
                found = customers.find_customer_id_by_name_phone(first, last, phone)
                assert found == json_customers.find_customer_id_by_name_phone(first, last, phone)
                assert found == user_id
        with pytest.raises(UnknownRecordError):
            customers.find_customer_id_by_name_phone(
                first, last, "0000" if tail != "0000" else "1111"
            )
    finally:
        server.stop()
