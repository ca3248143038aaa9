"""The crew cache: the least recently used merchant's crew is dropped, its state is not."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from shopcrew.memory import Memory, connect
from shopcrew.models import resolve_model
from shopcrew.service import CrewRegistry
from tests.service.conftest import Service


async def _say(service: Service, merchant: str, text: str) -> dict[str, Any]:
    """Send a message on the merchant's conversation c1; its state afterwards."""
    async with service.client(service.key(merchant)) as client:
        sent = await client.post("/v1/conversations/c1/messages", json={"text": text})
        assert sent.status_code == 200, sent.text
        state = (await client.get("/v1/conversations/c1")).json()
    assert isinstance(state, dict)
    return state


async def test_the_least_recently_used_crew_is_dropped_and_its_merchant_carries_on(
    make_service: Callable[..., Service], backend: str
) -> None:
    service = make_service(backend, max_crews=2)
    crews: CrewRegistry = service.app.state.crews
    first = await _say(service, "bob", "Hello, I have a question.")
    async with crews.use("bob") as bob:
        assert bob.merchant_id == "bob"
    await _say(service, "ann", "Hi there")
    await _say(service, "bob", "Are you there?")
    assert crews.merchants() == ["ann", "bob"]
    await _say(service, "cid", "Good morning")
    assert crews.merchants() == ["bob", "cid"]
    await _say(service, "dan", "Hey")
    assert crews.merchants() == ["cid", "dan"]
    again = await _say(service, "bob", "Thanks, bye.")
    assert crews.merchants() == ["dan", "bob"]
    async with crews.use("bob") as rebuilt:
        assert rebuilt is not bob
    said = [m["content"] for m in again["messages"] if m["role"] == "customer"]
    assert said == ["Hello, I have a question.", "Are you there?", "Thanks, bye."]
    assert again["messages"][: len(first["messages"])] == first["messages"]


async def test_a_crew_dropped_while_in_use_closes_its_redis_memory_when_the_use_ends(
    redis_url: str, namespace: str
) -> None:
    closed: list[str] = []

    def memory_for(merchant: str) -> Memory:
        memory = connect(redis_url, merchant_id=merchant, namespace=namespace)

        async def record() -> None:
            closed.append(merchant)

        return dataclasses.replace(memory, _aclosers=(*memory._aclosers, record))

    crews = CrewRegistry(model=resolve_model("rules"), memory_for=memory_for, max_crews=1)
    async with crews.use("ann") as ann:
        async with crews.use("bob"):
            assert crews.merchants() == ["bob"]
            await ann.memory.store.aput(("notes",), "k", {"still": "open"})
            assert closed == []
        found = await ann.memory.store.aget(("notes",), "k")
        assert found is not None and found.value == {"still": "open"}
        assert closed == []
    assert closed == ["ann"]
    async with crews.use("ann") as again:
        assert again is not ann
        found = await again.memory.store.aget(("notes",), "k")
        assert found is not None and found.value == {"still": "open"}
    assert closed == ["ann", "bob"]
    await crews.aclose()
    assert closed == ["ann", "bob", "ann"]


def test_a_crew_cache_needs_room_for_one_crew() -> None:
    with pytest.raises(ValueError, match="max_crews must be at least 1, got 0"):
        CrewRegistry(model=resolve_model("rules"), max_crews=0)
