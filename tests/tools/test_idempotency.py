from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from redis import Redis

from shopcrew.errors import IdempotencyConflictError, IdempotencyInProgressError
from shopcrew.tools.idempotency.base import IdempotencyStore, InMemoryIdempotencyStore, fingerprint
from shopcrew.tools.idempotency.redis import RedisIdempotencyStore

FP = fingerprint("set_budget", {"campaign": "c1", "budget": 10})


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[IdempotencyStore]:
    if request.param == "memory":
        yield InMemoryIdempotencyStore(merchant_id="m1")
        return
    url = request.getfixturevalue("redis_url")
    namespace = request.getfixturevalue("namespace")
    with RedisIdempotencyStore.from_url(url, namespace=namespace, merchant_id="m1") as redis_store:
        yield redis_store


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
            return f"applied #{self.calls}"


def test_fingerprint_ignores_key_order_and_sees_values() -> None:
    assert fingerprint("op", {"a": 1, "b": 2}) == fingerprint("op", {"b": 2, "a": 1})
    assert fingerprint("op", {"a": 1}) != fingerprint("op", {"a": 2})
    assert fingerprint("op", {"a": 1}) != fingerprint("other", {"a": 1})


def test_same_key_twice_applies_once(store: IdempotencyStore) -> None:
    apply = Counter()
    assert store.run("k", "set_budget", FP, apply) == "applied #1"
    assert store.run("k", "set_budget", FP, apply) == "applied #1"
    assert apply.calls == 1
    assert store.run("k2", "set_budget", FP, apply) == "applied #2"


def test_same_key_with_another_request_conflicts(store: IdempotencyStore) -> None:
    store.run("k", "set_budget", FP, Counter())
    with pytest.raises(IdempotencyConflictError, match="'k'"):
        store.run("k", "set_budget", fingerprint("set_budget", {"budget": 11}), Counter())
    with pytest.raises(IdempotencyConflictError):
        store.run("k", "pause", FP, Counter())


def test_a_failed_operation_is_not_recorded(store: IdempotencyStore) -> None:
    def fail() -> str:
        raise RuntimeError("platform down")

    with pytest.raises(RuntimeError):
        store.run("k", "set_budget", FP, fail)
    assert store.run("k", "set_budget", FP, Counter()) == "applied #1"


def test_concurrent_callers_apply_once(store: IdempotencyStore) -> None:
    apply = Counter()
    start = threading.Barrier(8)

    def call(_: int) -> str:
        start.wait()
        return store.run("k", "set_budget", FP, apply)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(8)))
    assert results == ["applied #1"] * 8
    assert apply.calls == 1


async def test_async_twin_applies_once(store: IdempotencyStore) -> None:
    calls: list[int] = []

    async def apply() -> str:
        calls.append(1)
        return "done"

    assert await store.arun("k", "set_budget", FP, apply) == "done"
    assert await store.arun("k", "set_budget", FP, apply) == "done"
    assert store.run("k", "set_budget", FP, Counter()) == "done"
    assert calls == [1]
    if isinstance(store, RedisIdempotencyStore):
        await store.aclose()


def test_in_memory_results_expire_after_the_ttl() -> None:
    now = [0.0]
    store = InMemoryIdempotencyStore(ttl=10, clock=lambda: now[0])
    apply = Counter()
    store.run("k", "op", FP, apply)
    now[0] = 9.9
    assert store.run("k", "op", FP, apply) == "applied #1"
    now[0] = 10.0
    assert store.run("k", "op", FP, apply) == "applied #2"


def test_in_memory_waiter_gets_the_running_callers_result() -> None:
    store = InMemoryIdempotencyStore()
    entered, release = threading.Event(), threading.Event()

    def slow() -> str:
        entered.set()
        release.wait()
        return "first"

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(store.run, "k", "op", FP, slow)
        entered.wait()
        with pytest.raises(IdempotencyConflictError):
            store.run("k", "op", "another fingerprint", Counter())
        second = pool.submit(store.run, "k", "op", FP, Counter())
        release.set()
        assert (first.result(), second.result()) == ("first", "first")


# --- Redis: two store instances stand for two processes sharing one server ---------------


def test_keys_are_namespaced_per_merchant(redis_url: str, namespace: str) -> None:
    with RedisIdempotencyStore.from_url(redis_url, namespace=namespace, merchant_id="m1") as store:
        store.run("abc", "op", FP, Counter())
    with Redis.from_url(redis_url) as client:
        assert client.exists(f"{namespace}:m1:idem:abc") == 1
        assert client.ttl(f"{namespace}:m1:idem:abc") == -1


def test_a_ttl_is_set_on_the_result(redis_url: str, namespace: str) -> None:
    with RedisIdempotencyStore.from_url(redis_url, namespace=namespace, ttl=3600) as store:
        store.run("abc", "op", FP, Counter())
        with Redis.from_url(redis_url) as client:
            assert 0 < client.ttl(store.redis_key("abc")) <= 3600


def test_second_process_returns_the_first_process_result(redis_url: str, namespace: str) -> None:
    first = RedisIdempotencyStore.from_url(redis_url, namespace=namespace, merchant_id="m1")
    second = RedisIdempotencyStore.from_url(redis_url, namespace=namespace, merchant_id="m1")
    other_merchant = RedisIdempotencyStore.from_url(
        redis_url, namespace=namespace, merchant_id="m2"
    )
    with first, second, other_merchant:
        apply = Counter()
        assert first.run("k", "op", FP, apply) == "applied #1"
        assert second.run("k", "op", FP, apply) == "applied #1"
        assert other_merchant.run("k", "op", FP, apply) == "applied #2"
        with pytest.raises(IdempotencyConflictError):
            second.run("k", "op", fingerprint("op", {}), apply)


def test_second_process_waits_for_a_running_claim(redis_url: str, namespace: str) -> None:
    first = RedisIdempotencyStore.from_url(redis_url, namespace=namespace)
    second = RedisIdempotencyStore.from_url(redis_url, namespace=namespace)
    entered, release = threading.Event(), threading.Event()

    def slow() -> str:
        entered.set()
        release.wait()
        return "first"

    with first, second, ThreadPoolExecutor(2) as pool:
        running = pool.submit(first.run, "k", "op", FP, slow)
        entered.wait()
        with Redis.from_url(redis_url) as client:
            assert json.loads(client.get(first.redis_key("k")) or "")["state"] == "pending"
        waiting = pool.submit(second.run, "k", "op", FP, Counter())
        release.set()
        assert (running.result(), waiting.result()) == ("first", "first")


def _crashed_claim(redis_url: str, key: str, *, px: int) -> None:
    claim = {"state": "pending", "op": "op", "fp": FP, "token": "crashed"}
    with Redis.from_url(redis_url) as client:
        client.set(key, json.dumps(claim), px=px)


def test_a_crashed_claimers_lease_expires_and_a_retry_applies(
    redis_url: str, namespace: str
) -> None:
    with RedisIdempotencyStore.from_url(redis_url, namespace=namespace, wait=10) as store:
        _crashed_claim(redis_url, store.redis_key("k"), px=50)
        assert store.run("k", "op", FP, Counter()) == "applied #1"


def test_waiting_on_a_live_claim_is_bounded(redis_url: str, namespace: str) -> None:
    with RedisIdempotencyStore.from_url(redis_url, namespace=namespace, wait=0.05) as store:
        _crashed_claim(redis_url, store.redis_key("k"), px=60_000)
        with pytest.raises(IdempotencyInProgressError):
            store.run("k", "op", FP, Counter())
