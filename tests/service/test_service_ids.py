"""Ids on every route are bounded and validated before anything runs (422 naming the field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.service.conftest import Service

HUGE = "c" * 60_000
DECISION = {"verdict": "approve", "by": "ana", "action_hash": "0" * 64}
MESSAGES = "/v1/conversations/c1/messages"
DECIDE = "/v1/approvals/r1/decision"
ORDER = {"kind": "order_event", "order_id": HUGE, "status": "paid"}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "POST",
            "/v1/events",
            {"kind": "customer_message", "conversation_id": HUGE, "text": "hi"},
            "conversation_id",
        ),
        (
            "POST",
            "/v1/events",
            {"kind": "customer_message", "conversation_id": "a:b", "text": "hi"},
            "conversation_id",
        ),
        ("POST", "/v1/events", {"kind": "audit_tick", "id": "x" * 129}, "id"),
        ("POST", "/v1/events", {"kind": "budget_review_tick", "id": "a b"}, "id"),
        (
            "POST",
            "/v1/events",
            {"kind": "order_event", "order_id": HUGE, "status": "paid"},
            "order_id",
        ),
        ("POST", "/v1/conversations/c1/messages", {"text": "hi", "id": "m 1"}, "id"),
        (
            "POST",
            "/v1/conversations/c1/messages",
            {"text": "hi", "customer_id": HUGE},
            "customer_id",
        ),
        ("POST", f"/v1/conversations/{'c' * 129}/messages", {"text": "hi"}, "conversation_id"),
        ("GET", f"/v1/threads/{'t' * 300}", None, "thread_id"),
        ("GET", f"/v1/approvals/{'r' * 513}", None, "request_id"),
        (
            "POST",
            "/v1/approvals/r1/decision",
            {**DECISION, "decision_id": "d" * 129},
            "decision_id",
        ),
        ("POST", "/v1/approvals/r1/decision", {**DECISION, "interrupt_id": "i\n1"}, "interrupt_id"),
        ("GET", "/v1/escalations/esc%201", None, "ticket_id"),
    ],
)
async def test_an_id_out_of_bounds_is_refused_with_422_naming_the_field(
    make_service: Callable[..., Service],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    field: str,
) -> None:
    service = make_service("memory")
    async with service.client(service.key("acme")) as client:
        response = await client.request(method, path, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "RequestValidationError"
    assert error["message"].split(":")[0].split(".")[-1] == field
    assert "acme" not in service.app.state.crews.merchants()  # refused before any crew ran
