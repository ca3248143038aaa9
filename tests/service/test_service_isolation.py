"""One merchant's key never reaches another merchant's threads, approvals, store or blackboard.

Every route of the app gets a probe; a route added without one fails
`test_every_route_has_an_isolation_probe`, and every probe runs in memory and on Redis.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shopcrew.memory import StockAlert
from shopcrew.models import resolve_model
from shopcrew.service import InMemoryApiKeyStore, create_app
from tests.service.conftest import Service

A, B = "merchant-a", "merchant-b"


def _flatten(routes: list[Any], prefix: str = "") -> list[Any]:
    """The app's routes, those of included routers too (FastAPI keeps them nested)."""
    found: list[Any] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += _flatten(included.routes, prefix + route.include_context.prefix)
        else:
            found.append((prefix, route))
    return found


def _routes() -> list[tuple[str, str]]:
    """Every (method, path) the app answers, read from `app.routes`."""
    app = create_app(model=resolve_model("rules"), keys=InMemoryApiKeyStore())
    found = set()
    for prefix, route in _flatten(app.routes):
        for method in getattr(route, "methods", None) or {"WEBSOCKET"}:
            found.add((method, prefix + str(getattr(route, "path", route))))
    return sorted(found)


@dataclass
class World:
    """Merchant A with a waiting approval, an escalation and a blackboard entry; B's client."""

    service: Service
    a: httpx.AsyncClient
    b: httpx.AsyncClient
    event_id: str
    thread_id: str
    approval_id: str
    action_hash: str
    ticket_id: str
    snapshot: dict[str, Any]

    async def a_state(self) -> dict[str, Any]:
        return {
            "approvals": (await self.a.get("/v1/approvals")).json(),
            "escalations": (await self.a.get("/v1/escalations")).json(),
            "conversation": (await self.a.get("/v1/conversations/c1")).json(),
            "thread": (await self.a.get(f"/v1/threads/{self.thread_id}")).json(),
            "blackboard": (await self.a.get("/v1/blackboard")).json(),
        }


Probe = Callable[[World], Awaitable[None]]
PROBES: dict[tuple[str, str], Probe] = {}


def probe(method: str, path: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        PROBES[(method, path)] = fn
        return fn

    return register


def _error_type(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["type"])


@probe("POST", "/v1/events")
async def _post_event(world: World) -> None:
    same_id = {"kind": "budget_review_tick", "id": world.event_id}
    out = (await world.b.post("/v1/events", json=same_id)).json()
    assert (out["replayed"], out["thread_id"]) == (False, f"{B}:planner:{world.event_id}")
    # Approval ids derive from the event id: B's request has A's id, in B's own queue.
    [own] = (await world.b.get("/v1/approvals")).json()["approvals"]
    assert own["thread_id"].startswith(f"{B}:")
    decision = {"verdict": "reject", "by": "b", "action_hash": own["request"]["action_hash"]}
    decided = await world.b.post(f"/v1/approvals/{own['request']['id']}/decision", json=decision)
    assert decided.json()["approval"]["request"]["status"] == "rejected"


@probe("POST", "/v1/events/stream")
async def _stream_event(world: World) -> None:
    same_id = {"kind": "budget_review_tick", "id": world.event_id}
    text = (await world.b.post("/v1/events/stream", json=same_id)).text
    assert f"{A}:" not in text
    assert f'"thread_id": "{B}:planner:{world.event_id}"' in text
    assert '"replayed": false' in text


@probe("POST", "/v1/conversations/{conversation_id}/messages")
async def _post_message(world: World) -> None:
    out = (await world.b.post("/v1/conversations/c1/messages", json={"text": "hello"})).json()
    assert out["thread_id"] == f"{B}:cs:c1"
    state = (await world.b.get("/v1/conversations/c1")).json()
    assert [m["content"] for m in state["messages"] if m["role"] == "customer"] == ["hello"]


@probe("POST", "/v1/conversations/{conversation_id}/messages/stream")
async def _stream_message(world: World) -> None:
    text = (await world.b.post("/v1/conversations/c1/messages/stream", json={"text": "hi"})).text
    assert f"{A}:" not in text and "real person" not in text
    state = (await world.b.get("/v1/conversations/c1")).json()
    assert [m["content"] for m in state["messages"] if m["role"] == "customer"] == ["hi"]


@probe("GET", "/v1/conversations/{conversation_id}")
async def _get_conversation(world: World) -> None:
    response = await world.b.get("/v1/conversations/c1")
    assert _error_type(response, 404) == "UnknownThreadError"


@probe("GET", "/v1/threads/{thread_id}")
async def _get_thread(world: World) -> None:
    for thread in (world.thread_id, f"{A}:cs:c1", f"{B}:{world.thread_id}"):
        assert _error_type(await world.b.get(f"/v1/threads/{thread}"), 404) == (
            "UnknownThreadError"
        )


@probe("GET", "/v1/approvals")
async def _list_approvals(world: World) -> None:
    for status in ("pending", "approved", "rejected", "expired"):
        listed = await world.b.get("/v1/approvals", params={"status": status})
        assert listed.json() == {"approvals": []}


@probe("GET", "/v1/approvals/{request_id}")
async def _get_approval(world: World) -> None:
    response = await world.b.get(f"/v1/approvals/{world.approval_id}")
    assert _error_type(response, 404) == "UnknownApprovalError"


@probe("POST", "/v1/approvals/{request_id}/decision")
async def _decide(world: World) -> None:
    decision = {"verdict": "approve", "by": "mallory", "action_hash": world.action_hash}
    response = await world.b.post(f"/v1/approvals/{world.approval_id}/decision", json=decision)
    assert _error_type(response, 404) == "UnknownApprovalError"


@probe("GET", "/v1/escalations")
async def _list_escalations(world: World) -> None:
    for waiting in ("true", "false"):
        listed = await world.b.get("/v1/escalations", params={"waiting": waiting})
        assert listed.json() == {"escalations": []}


@probe("GET", "/v1/escalations/{ticket_id}")
async def _get_escalation(world: World) -> None:
    response = await world.b.get(f"/v1/escalations/{world.ticket_id}")
    assert _error_type(response, 404) == "UnknownEscalationError"


@probe("POST", "/v1/escalations/{ticket_id}/resume")
async def _resume_escalation(world: World) -> None:
    reply = {"reply": "mallory here", "by": "mallory"}
    response = await world.b.post(f"/v1/escalations/{world.ticket_id}/resume", json=reply)
    assert _error_type(response, 404) == "UnknownEscalationError"


@probe("GET", "/v1/blackboard")
async def _blackboard(world: World) -> None:
    assert (await world.b.get("/v1/blackboard")).json() == {"entries": []}
    listed = await world.b.get("/v1/blackboard", params={"kind": "stock_alert"})
    assert listed.json() == {"entries": []}


async def _public(world: World, method: str, path: str) -> None:
    """Routes without a key carry no merchant's data."""
    response = await world.b.request(method, path)
    assert response.status_code == 200
    for secret in (A, world.thread_id, world.approval_id, world.ticket_id):
        assert secret not in response.text


for _method, _path in _routes():
    if not _path.startswith("/v1/"):

        def _make(method: str, path: str) -> Probe:
            async def run(world: World) -> None:
                await _public(world, method, path)

            return run

        PROBES[(_method, _path)] = _make(_method, _path)


def test_every_route_has_an_isolation_probe() -> None:
    missing = [route for route in _routes() if route not in PROBES]
    assert missing == [], f"add an isolation probe for {missing}"
    assert sorted(PROBES) == _routes()


@pytest.fixture
async def world(
    request: pytest.FixtureRequest, make_service: Callable[..., Service]
) -> AsyncIterator[World]:
    """A's data and B's client; public routes (no key, no memory) run in memory only."""
    service = make_service(request.getfixturevalue("backend"))
    a = service.client(service.key(A))
    b = service.client(service.key(B), header="x-api-key")
    review = (await a.post("/v1/events", json={"kind": "budget_review_tick"})).json()
    [approval] = review["interrupts"]
    record = (await a.get(f"/v1/approvals/{approval['ref']}")).json()
    text = "I want to talk to a real person please."
    talk = (await a.post("/v1/conversations/c1/messages", json={"text": text})).json()
    [ticket] = talk["interrupts"]
    async with service.app.state.crews.use(A) as crew:
        crew.memory.blackboard.post(StockAlert(product_id="p-secret", level=0, author="test"))
    world = World(
        service=service,
        a=a,
        b=b,
        event_id=review["event_id"],
        thread_id=review["thread_id"],
        approval_id=approval["ref"],
        action_hash=record["request"]["action_hash"],
        ticket_id=ticket["ref"],
        snapshot={},
    )
    world.snapshot = await world.a_state()
    yield world
    await a.aclose()
    await b.aclose()


def _cases() -> list[Any]:
    cases = []
    for route in _routes():
        name = f"{route[0]} {route[1]}"
        if route[1].startswith("/v1/"):
            cases += [pytest.param(route, b, id=f"{b}-{name}") for b in ("memory", "redis")]
        else:
            cases.append(pytest.param(route, "memory", id=f"public-{name}"))
    return cases


@pytest.mark.parametrize(("route", "backend"), _cases())
async def test_another_merchants_key_never_reaches_its_data(
    route: tuple[str, str], backend: str, world: World
) -> None:
    await PROBES[route](world)
    after = await world.a_state()
    assert json.dumps(after, sort_keys=True) == json.dumps(world.snapshot, sort_keys=True)
    assert len(world.snapshot["approvals"]["approvals"]) == 1
    assert len(world.snapshot["escalations"]["escalations"]) == 1
    assert len(world.snapshot["blackboard"]["entries"]) == 1
