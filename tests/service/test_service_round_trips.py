"""Store round trips of an approval decision, counted by Redis itself (INFO commandstats)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from redis import Redis
from support.redis_servers import RedisProcess, free_port, need_binaries

from shopcrew.agents.approvals.queue import Decision
from shopcrew.graphs.crew import asend_event
from shopcrew.graphs.events import HumanDecision
from shopcrew.memory import InMemoryBlackboard, Memory, RedisStore
from tests.service.conftest import Service


@pytest.fixture
def store_server(tmp_path: Path) -> Iterator[RedisProcess]:
    """A Redis of this test alone: it holds the merchants' stores and nothing else."""
    need_binaries()
    server = RedisProcess(tmp_path, free_port())
    server.start()
    yield server
    server.stop()


def _store_calls(admin: Redis) -> int:
    """Script calls since the last reset: every store batch is one EVALSHA."""
    stats = admin.info("commandstats")
    return sum(
        int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("evalsha", "eval")
    )


async def test_a_decision_reads_the_approval_once_before_the_run_and_once_after(
    make_service: Callable[..., Service], store_server: RedisProcess
) -> None:
    stores: list[RedisStore] = []

    def memory_for(merchant_id: str) -> Memory:
        # Only the store is on Redis, so the server counts store round trips alone.
        store = RedisStore.from_url(store_server.url, namespace=f"rt:{merchant_id}")
        stores.append(store)
        board = InMemoryBlackboard(store=store, merchant_id=merchant_id)
        return Memory(checkpointer=InMemorySaver(), store=store, blackboard=board)

    service = make_service(memory_for=memory_for)
    waiting: dict[str, dict[str, str]] = {}
    try:
        for merchant in ("direct", "http"):
            async with service.client(service.key(merchant)) as client:
                run = await client.post("/v1/events", json={"kind": "budget_review_tick"})
                [interrupt] = run.json()["interrupts"]
                waiting[merchant] = interrupt
        with store_server.client() as admin:
            # The crew alone: the decision as the service builds it, sent to the crew.
            async with service.app.state.crews.use("direct") as built:
                record = built.approvals.get(waiting["direct"]["ref"])
                decision = Decision(
                    id=uuid4().hex,
                    request_id=record.request.id,
                    interrupt_id=record.interrupt_id,
                    action_hash=record.request.action_hash,
                    verdict="approve",
                    by="ana",
                )
                admin.config_resetstat()
                await asend_event(
                    built.crew, HumanDecision(decision=decision), merchant_id="direct"
                )
                crew_alone = _store_calls(admin)
            async with service.client(service.key("http")) as client:
                ref = waiting["http"]["ref"]
                listed = (await client.get("/v1/approvals")).json()["approvals"]
                body = {"verdict": "approve", "by": "ana"}
                body["action_hash"] = listed[0]["request"]["action_hash"]
                admin.config_resetstat()
                done = await client.post(f"/v1/approvals/{ref}/decision", json=body)
                via_service = _store_calls(admin)
        assert done.status_code == 200, done.text
        assert done.json()["approval"]["request"]["status"] == "approved"
        # The crew reads the record to check the decision; the service's one read before the
        # run serves that check, and one read after the run returns the decided record.
        assert via_service == crew_alone + 1
    finally:
        for store in stores:
            store.close()
