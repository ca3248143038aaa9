"""`SharedRecordTable` on the real Redis: shared reads, one commit per effect, fencing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from support.merchant_store import build_store_dir

from shopcrew.errors import (
    IdempotencyConflictError,
    LeaseLostError,
    ToolInputError,
    UnknownRecordError,
)
from shopcrew.tools.records.listings import ListingPatch
from shopcrew.tools.reference.ads import JsonAdsAdapter
from shopcrew.tools.reference.listings import JsonListingAdapter
from shopcrew.workers import (
    EffectLedger,
    EffectScope,
    EventQueue,
    SharedRecordTable,
    StreamKeys,
    effect_scope,
)
from tests.workers.conftest import MERCHANT


@pytest.fixture
def store_dir(tmp_path: Path, tau_dir: Path) -> Path:
    return build_store_dir(tmp_path / "store", tau_dir, listings=3)


@pytest.fixture
def keys(namespace: str) -> StreamKeys:
    return StreamKeys(namespace, MERCHANT)


@pytest.fixture
def clients(redis_url: str) -> Iterator[list[Redis]]:
    """Two clients: two processes' connections."""
    opened = [Redis.from_url(redis_url) for _ in range(2)]
    yield opened
    for client in opened:
        client.close()


def _ads(client: Redis, keys: StreamKeys, store_dir: Path) -> JsonAdsAdapter:
    table = SharedRecordTable.over(EffectLedger(client, keys))
    return JsonAdsAdapter.from_dir(store_dir, merchant_id=MERCHANT, persist=False, table=table)


def _listings(client: Redis, keys: StreamKeys, store_dir: Path) -> JsonListingAdapter:
    table = SharedRecordTable.over(EffectLedger(client, keys))
    return JsonListingAdapter.from_dir(store_dir, merchant_id=MERCHANT, persist=False, table=table)


def _effects(client: Redis, keys: StreamKeys) -> list[dict[str, str]]:
    return EventQueue(client, merchant_id=MERCHANT, namespace=keys.namespace).effects()


def test_a_write_through_one_adapter_is_read_through_another(
    clients: list[Redis], keys: StreamKeys, store_dir: Path
) -> None:
    one, two = (_ads(c, keys, store_dir) for c in clients)
    first = one.list_campaigns()[0]
    changed = one.set_campaign_budget(first.id, first.min_budget + 1.5)
    assert two.get_campaign(first.id) == changed
    assert two.list_campaigns() == [changed, *one.list_campaigns()[1:]]
    paused = two.pause_campaign(first.id)
    assert one.get_campaign(first.id) == paused == changed.model_copy(update={"status": "paused"})

    mine, theirs = (_listings(c, keys, store_dir) for c in clients)
    listing = mine.list_listings()[1]
    patched = mine.update_listing(listing.id, ListingPatch(title="A clearer title"))
    assert theirs.get_listing(listing.id) == patched
    assert theirs.list_listings()[1] == patched
    assert patched == listing.model_copy(update={"title": "A clearer title"})


def test_an_event_applies_a_budget_change_once_whatever_keys_its_reruns_use(
    clients: list[Redis], keys: StreamKeys, store_dir: Path
) -> None:
    one, two = (_ads(c, keys, store_dir) for c in clients)
    campaign = one.list_campaigns()[0]
    budget = campaign.min_budget + 2.0
    lease = keys.lease("t1")
    clients[0].set(lease, "token-a")
    scope = EffectScope(event_id="ev-1", lease_key=lease, token="token-a")
    with effect_scope(scope):
        first = one.set_campaign_budget(campaign.id, budget, idempotency_key="t1:call_1")
        # A re-run in another process: the model drew another tool-call id.
        again = two.set_campaign_budget(campaign.id, budget, idempotency_key="t1:call_9")
    assert again == first
    [effect] = _effects(clients[0], keys)
    assert effect["op"] == "set_campaign_budget"
    assert (effect["event"], effect["targets"]) == ("ev-1", f"campaign:{campaign.id}")

    # Outside a worker's event the key itself names the request.
    one.set_campaign_budget(campaign.id, budget + 1, idempotency_key="k")
    with pytest.raises(IdempotencyConflictError):
        two.set_campaign_budget(campaign.id, budget + 2, idempotency_key="k")
    assert two.get_campaign(campaign.id).current_budget() == budget + 1


def test_concurrent_writers_of_one_table_lose_no_write(
    clients: list[Redis], keys: StreamKeys, store_dir: Path
) -> None:
    adapters = [_ads(c, keys, store_dir) for c in clients]
    ids = [c.id for c in adapters[0].list_campaigns()]
    start = threading.Barrier(len(ids))

    def change(index: int) -> None:
        ads = adapters[index % 2]
        start.wait()
        for n in range(15):
            campaign = ads.get_campaign(ids[index])
            ads.set_campaign_budget(
                ids[index], campaign.min_budget + n, idempotency_key=f"{ids[index]}:{n}"
            )

    threads = [threading.Thread(target=change, args=(i,)) for i in range(len(ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = {c.id: c.current_budget() for c in adapters[1].list_campaigns()}
    assert final == {c.id: c.min_budget + 14 for c in adapters[0].list_campaigns()}
    assert len(_effects(clients[0], keys)) == 15 * len(ids)


def test_a_worker_without_its_lease_writes_nothing(
    clients: list[Redis], keys: StreamKeys, store_dir: Path
) -> None:
    ads = _ads(clients[0], keys, store_dir)
    campaign = ads.list_campaigns()[0]
    lease = keys.lease("t2")
    clients[0].set(lease, "someone-else")
    with (
        effect_scope(EffectScope(event_id="ev-2", lease_key=lease, token="mine")),
        pytest.raises(LeaseLostError),
    ):
        ads.set_campaign_budget(campaign.id, campaign.min_budget + 3, idempotency_key="t2:c1")
    assert ads.get_campaign(campaign.id) == campaign
    assert _effects(clients[0], keys) == []


def test_refused_writes_change_nothing_and_record_nothing(
    clients: list[Redis], keys: StreamKeys, store_dir: Path
) -> None:
    ads = _ads(clients[0], keys, store_dir)
    campaign = ads.list_campaigns()[0]
    with pytest.raises(ToolInputError, match="outside its bounds"):
        ads.set_campaign_budget(campaign.id, campaign.min_budget - 1, idempotency_key="r1")
    with pytest.raises(UnknownRecordError):
        ads.set_campaign_budget("no-such-campaign", 10.0, idempotency_key="r2")
    assert ads.list_campaigns() == _ads(clients[1], keys, store_dir).list_campaigns()
    assert ads.get_campaign(campaign.id) == campaign
    assert _effects(clients[0], keys) == []
    assert clients[0].exists(keys.records("campaign")) == 0


def test_a_shared_table_refuses_a_file_to_write(
    clients: list[Redis], keys: StreamKeys, store_dir: Path
) -> None:
    table = SharedRecordTable.over(EffectLedger(clients[0], keys))
    with pytest.raises(ValueError, match="persist=False"):
        JsonAdsAdapter.from_dir(store_dir, merchant_id=MERCHANT, table=table)
    with pytest.raises(ValueError, match="merchant 'm1'"):
        JsonAdsAdapter.from_dir(store_dir, merchant_id="m2", persist=False, table=table)
