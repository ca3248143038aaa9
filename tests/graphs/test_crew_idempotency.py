"""A crew given a shared idempotency store records its CS tools' writes there, by tool call."""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.messages import AIMessage
from redis import Redis

from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.idempotency.base import fingerprint
from shopcrew.tools.idempotency.redis import RedisIdempotencyStore


def _pending_order(store_dir: Path) -> tuple[str, str]:
    """An order still pending and its customer's email, from the store's own tables."""
    orders = json.loads((store_dir / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((store_dir / "users.json").read_text(encoding="utf-8"))
    order = next(o for o in reversed(list(orders.values())) if o["status"] == "pending")
    return order["order_id"], users[order["user_id"]]["email"]


def test_a_cancel_is_recorded_in_the_shared_store_and_not_run_again(
    store_dir: Path, redis_url: str, namespace: str
) -> None:
    order_id, email = _pending_order(store_dir)
    with Redis.from_url(redis_url) as client:
        shared = RedisIdempotencyStore(client, namespace=namespace, ttl=3600)
        crew = build_crew(
            model=resolve_model("rules"),
            adapters=Adapters.from_store_dir(store_dir),
            idempotency=shared,
        )
        text = f"Hi, my email is {email}. Please cancel order {order_id}, I no longer need it."
        send_event(crew, CustomerMessage(conversation_id="idem", text=text))
        out = send_event(crew, CustomerMessage(conversation_id="idem", text="Yes, please."))
        [call] = [
            c
            for m in out["messages"]
            if isinstance(m, AIMessage)
            for c in m.tool_calls
            if c["name"] == "cancel_pending_order"
        ]

        def again() -> str:
            raise AssertionError("the recorded cancel ran a second time")

        key = f"tool:default:cs:idem:{call['id']}"  # `tools/_tool_support.py`
        recorded = shared.run(key, call["name"], fingerprint(call["name"], call["args"]), again)
        assert '"cancelled"' in recorded
