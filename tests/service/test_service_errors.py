"""Bad requests get a 4xx with a JSON body saying what was wrong; bodies are size-limited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tests.service.conftest import Service


@pytest.fixture
def memory_service(make_service: Callable[..., Service]) -> Service:
    return make_service("memory", max_body_bytes=1024)


async def test_requests_without_a_live_key_get_401(memory_service: Service) -> None:
    key = memory_service.key("acme")
    revoked = memory_service.keys.create("acme")
    memory_service.keys.revoke(revoked.record.key_id)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for client in (
        memory_service.client(),
        memory_service.client("sck_0123456789abcdef_nope"),
        memory_service.client("not a key at all"),
        memory_service.client(forged),
        memory_service.client(revoked.key, header="x-api-key"),
    ):
        async with client:
            response = await client.get("/v1/approvals")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["type"] == "AuthenticationError"
    for header in ("bearer", "x-api-key"):
        async with memory_service.client(key, header=header) as client:
            assert (await client.get("/v1/approvals")).status_code == 200


async def test_typed_errors_map_to_statuses_with_a_json_body(memory_service: Service) -> None:
    async with memory_service.client(memory_service.key("acme")) as client:
        cases = [
            (await client.post("/v1/events", json={"kind": "coffee_break"}), 422),
            (await client.post("/v1/events", json={"kind": "audit_tick", "listing_ids": "x"}), 422),
            (await client.post("/v1/events", content=b"{not json", headers=_json()), 400),
            (await client.post("/v1/conversations/c1/messages", json={"text": ""}), 422),
            (await client.post("/v1/conversations/bad id!/messages", json={"text": "x"}), 422),
            (await client.get("/v1/threads/acme:cs:nobody"), 404),
            (await client.get("/v1/approvals/nope"), 404),
            (await client.get("/v1/escalations/nope"), 404),
            (await client.get("/v1/approvals", params={"status": "maybe"}), 422),
            (await client.get("/v1/nowhere"), 404),
            (await client.delete("/v1/approvals"), 405),
        ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json"
        error = response.json()["error"]
        assert error["type"] and error["message"], error
    assert "kind" in cases[0][0].json()["error"]["message"]
    assert cases[1][0].json()["error"]["details"][0]["loc"][-1] == "listing_ids"
    assert cases[5][0].json()["error"]["type"] == "UnknownThreadError"
    assert cases[6][0].json()["error"]["type"] == "UnknownApprovalError"


def _json() -> dict[str, str]:
    return {"content-type": "application/json"}


async def test_an_edit_decision_needs_a_payload(memory_service: Service) -> None:
    async with memory_service.client(memory_service.key("acme")) as client:
        waiting = (await client.post("/v1/events", json={"kind": "budget_review_tick"})).json()
        ref = waiting["interrupts"][0]["ref"]
        record = (await client.get(f"/v1/approvals/{ref}")).json()
        edit = {"verdict": "edit", "by": "ana", "action_hash": record["request"]["action_hash"]}
        response = await client.post(f"/v1/approvals/{ref}/decision", json=edit)
        assert response.status_code == 422
        assert "payload" in response.json()["error"]["message"]
        assert (await client.get(f"/v1/approvals/{ref}")).json() == record


async def test_a_declared_body_over_the_limit_gets_413(memory_service: Service) -> None:
    async with memory_service.client(memory_service.key("acme")) as client:
        big = {"text": "x" * 2000}
        response = await client.post("/v1/conversations/c1/messages", json=big)
        assert response.status_code == 413
        assert response.json()["error"]["type"] == "BodyTooLargeError"
        assert "1024 bytes" in response.json()["error"]["message"]
        missing = await client.get("/v1/conversations/c1")
        assert missing.status_code == 404


async def test_a_streamed_body_is_counted_as_it_arrives(memory_service: Service) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(40):
            yield b"y" * 64
        yield b'"}'

    async with memory_service.client(memory_service.key("acme")) as client:
        response = await client.post(
            "/v1/conversations/c2/messages", content=chunks(), headers=_json()
        )
        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert response.json()["error"]["type"] == "BodyTooLargeError"
        assert (await client.get("/v1/conversations/c2")).status_code == 404

    async def small() -> AsyncIterator[bytes]:
        yield b'{"text": '
        yield b'"hello"}'

    async with memory_service.client(memory_service.key("acme")) as client:
        ok = await client.post("/v1/conversations/c3/messages", content=small(), headers=_json())
        assert ok.status_code == 200, ok.text


async def test_a_lying_content_length_is_still_counted(memory_service: Service) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "' + b"z" * 1500 + b'"}'

    async with memory_service.client(memory_service.key("acme")) as client:
        headers = {**_json(), "content-length": "20"}
        response = await client.post(
            "/v1/conversations/c4/messages", content=chunks(), headers=headers
        )
        assert response.status_code == 413
        assert response.json()["error"]["type"] == "BodyTooLargeError"


async def test_healthz_is_503_when_redis_is_down(make_service: Callable[..., Service]) -> None:
    from shopcrew.models import resolve_model
    from shopcrew.service import RedisApiKeyStore, create_app

    dead = "redis://127.0.0.1:1/0"
    keys = RedisApiKeyStore.from_url(dead, namespace="nowhere")
    app = create_app(model=resolve_model("rules"), keys=keys, redis_url=dead)
    service = Service(app=app, keys=keys, backend="redis")
    try:
        async with service.client() as client:
            response = await client.get("/healthz")
    finally:
        await keys.aclose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "redis": "unavailable", "store": "ok"}
