"""`SharedRetailStore` reads inside an event: one Redis read per record, writes read afresh."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from shopcrew.errors import RetailRuleError
from shopcrew.tools.reference._rules import cancel_order
from shopcrew.workers import EffectScope, SharedRetailStore, StreamKeys, effect_scope
from tests.workers.conftest import MERCHANT, Cancellation

REASON = "ordered by mistake"


@pytest.fixture
def keys(namespace: str) -> StreamKeys:
    return StreamKeys(namespace, MERCHANT)


@pytest.fixture
def stores(redis_url: str, keys: StreamKeys, tau_dir: Path) -> Iterator[list[SharedRetailStore]]:
    """Two processes' views of the merchant's shared retail state."""
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    opened = []
    for client in clients:
        store = SharedRetailStore.load(tau_dir / "db", merchant_id=MERCHANT)
        store.bind(client, keys)
        opened.append(store)
    yield opened
    for client in clients:
        client.close()


def _cancel_elsewhere(store: SharedRetailStore, order_id: str) -> None:
    """Another process's write: a thread of its own runs outside this one's event."""
    worker = threading.Thread(
        target=store.write, args=(lambda s: cancel_order(s, order_id, REASON),)
    )
    worker.start()
    worker.join()


def _status(store: SharedRetailStore, order_id: str) -> str:
    order = store.get("orders", order_id)
    assert order is not None
    return str(order["status"])


def test_an_event_reads_a_record_once_and_its_write_reads_it_afresh(
    stores: list[SharedRetailStore],
    keys: StreamKeys,
    redis_url: str,
    cancellations: list[Cancellation],
) -> None:
    ours, other = stores
    order_id = cancellations[0].order_id
    scope = EffectScope("event-1", keys.lease("thread-1"), "token-1")
    with Redis.from_url(redis_url) as client:
        client.set(scope.lease_key, scope.token)
    with effect_scope(scope):
        assert _status(ours, order_id) == "pending"
        _cancel_elsewhere(other, order_id)
        # The event goes on with what it read (a snapshot of its own)...
        assert _status(ours, order_id) == "pending"
        # ...but a write checks the current record: it cannot cancel twice.
        with pytest.raises(RetailRuleError, match="non-pending order cannot be cancelled"):
            ours.write(lambda store: cancel_order(store, order_id, REASON))
        # Once a write is done, the event reads afresh.
        assert _status(ours, order_id) == "cancelled"
    assert _status(ours, order_id) == "cancelled"


def test_outside_an_event_every_read_goes_to_redis(
    stores: list[SharedRetailStore], cancellations: list[Cancellation]
) -> None:
    ours, other = stores
    order_id = cancellations[1].order_id
    assert _status(ours, order_id) == "pending"
    _cancel_elsewhere(other, order_id)
    assert _status(ours, order_id) == "cancelled"
