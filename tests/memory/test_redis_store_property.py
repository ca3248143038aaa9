"""Random operation sequences give the same answers from RedisStore and InMemoryStore."""

from __future__ import annotations

import zlib
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from langgraph.store.base import Item, SearchItem
from langgraph.store.memory import InMemoryStore

from shopcrew.memory.store.redis import RedisStore

DIMS = 6
WORDS = ["red", "blue", "shoe", "lamp", "refund", "late"]


def embed(texts: list[str]) -> list[list[float]]:
    """Small integer components: float32 storage is exact, so scores match InMemoryStore's."""
    vectors = []
    for text in texts:
        vector = [0.0] * DIMS
        for word in text.split():
            vector[zlib.crc32(word.encode()) % DIMS] += 1.0
        vectors.append(vector)
    return vectors


INDEX: Any = {"dims": DIMS, "embed": embed, "fields": ["text"]}

labels = st.sampled_from(["a", "b", "c"])
namespaces = st.lists(labels, min_size=1, max_size=3).map(tuple)
prefixes = st.lists(labels, min_size=0, max_size=2).map(tuple)
keys = st.sampled_from(["k1", "k2", "k3", "k 4"])
texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=3).map(" ".join)
values = st.fixed_dictionaries(
    {
        "n": st.integers(0, 3),
        "s": st.sampled_from(["x", "y"]),
        "text": texts,
        "meta": st.fixed_dictionaries({"c": st.integers(0, 1)}),
    },
    optional={"tags": st.lists(st.sampled_from(["p", "q"]), max_size=2)},
)
filters = st.one_of(
    st.none(),
    st.fixed_dictionaries({"n": st.integers(0, 3)}),
    st.fixed_dictionaries(
        {
            "n": st.sampled_from(["$gt", "$gte", "$lt", "$lte", "$eq", "$ne"]).flatmap(
                lambda op: st.fixed_dictionaries({op: st.integers(0, 3)})
            )
        }
    ),
    st.fixed_dictionaries({"s": st.sampled_from(["x", "y"]), "meta": st.just({"c": 1})}),
    st.fixed_dictionaries({"tags": st.sampled_from([["p"], ["p", "q"]])}),
)
patterns = st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", "*"]), min_size=1, max_size=2))


def _plain(result: Any) -> Any:
    """Drop timestamps; keep what both stores must agree on."""
    if isinstance(result, list):
        return [_plain(r) for r in result]
    if isinstance(result, SearchItem):
        score = None if result.score is None else round(result.score, 9)
        return (result.namespace, result.key, result.value, score)
    if isinstance(result, Item):
        return (result.namespace, result.key, result.value)
    return result


class StoreComparison(RuleBasedStateMachine):
    url = ""
    prefix = ""
    runs = 0

    def __init__(self) -> None:
        super().__init__()
        StoreComparison.runs += 1
        namespace = f"{self.prefix}:{StoreComparison.runs}"
        self.redis = RedisStore.from_url(self.url, namespace=namespace, index=INDEX)
        self.memory = InMemoryStore(index=INDEX)

    def _same(self, method: str, *args: Any, **kwargs: Any) -> None:
        expected = getattr(self.memory, method)(*args, **kwargs)
        # InMemoryStore keeps namespaces that were emptied or only read; RedisStore lists only
        # namespaces holding items (see RedisStore's docstring), so drop the empty ones.
        for ns in [ns for ns, items in self.memory._data.items() if not items]:
            del self.memory._data[ns]
        assert _plain(getattr(self.redis, method)(*args, **kwargs)) == _plain(expected)

    @rule(namespace=namespaces, key=keys, value=values)
    def put(self, namespace: tuple[str, ...], key: str, value: dict[str, Any]) -> None:
        self._same("put", namespace, key, value)

    @rule(namespace=namespaces, key=keys)
    def delete(self, namespace: tuple[str, ...], key: str) -> None:
        self._same("delete", namespace, key)

    @rule(namespace=namespaces, key=keys)
    def get(self, namespace: tuple[str, ...], key: str) -> None:
        self._same("get", namespace, key)

    @rule(
        prefix=prefixes,
        filter=filters,
        query=st.one_of(st.none(), texts.filter(bool)),
        limit=st.integers(1, 6),
        offset=st.integers(0, 4),
    )
    def search(
        self,
        prefix: tuple[str, ...],
        filter: dict[str, Any] | None,
        query: str | None,
        limit: int,
        offset: int,
    ) -> None:
        self._same("search", prefix, filter=filter, query=query, limit=limit, offset=offset)

    @rule(
        prefix=patterns,
        suffix=patterns,
        max_depth=st.one_of(st.none(), st.integers(1, 3)),
        limit=st.integers(1, 8),
        offset=st.integers(0, 3),
    )
    def list_namespaces(
        self,
        prefix: list[str] | None,
        suffix: list[str] | None,
        max_depth: int | None,
        limit: int,
        offset: int,
    ) -> None:
        self._same(
            "list_namespaces",
            prefix=tuple(prefix) if prefix else None,
            suffix=tuple(suffix) if suffix else None,
            max_depth=max_depth,
            limit=limit,
            offset=offset,
        )

    def teardown(self) -> None:
        self.redis.close()


@pytest.mark.slow  # hypothesis, many examples
def test_random_operations_answer_as_in_memory_store(redis_url: str, namespace: str) -> None:
    machine = type("Machine", (StoreComparison,), {"url": redis_url, "prefix": namespace})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=100,
            stateful_step_count=25,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_random_operations_on_a_cluster_answer_as_in_memory_store(
    redis_cluster_url: str,
) -> None:
    machine = type(
        "ClusterMachine",
        (StoreComparison,),
        {"url": redis_cluster_url, "prefix": f"test-{uuid4().hex[:8]}"},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
