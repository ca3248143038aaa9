"""The official langgraph-checkpoint-conformance suite against `RedisSaver`, every capability."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

from langgraph.checkpoint.conformance import checkpointer_test, validate

from shopcrew.memory.saver.redis import RedisSaver

CAPABILITIES = {
    "put",
    "put_writes",
    "get_tuple",
    "list",
    "delete_thread",
    "delete_for_runs",
    "copy_thread",
    "prune",
}


async def test_conformance_suite_passes_every_capability(saver_url: str, namespace: str) -> None:
    @checkpointer_test(name=f"RedisSaver-{uuid4().hex}")
    async def factory() -> AsyncIterator[RedisSaver]:
        # A fresh namespace per capability suite: the suites reuse thread ids.
        saver = RedisSaver.from_url(saver_url, namespace=f"{namespace}:{uuid4().hex[:8]}")
        yield saver
        await saver.aclose()

    report = await validate(factory)

    failures = {cap: r.failures for cap, r in report.results.items() if r.failures}
    assert failures == {}
    assert {cap for cap, r in report.results.items() if r.detected} == CAPABILITIES
    assert report.passed_all()
    assert sum(r.tests_passed for r in report.results.values()) >= 81
