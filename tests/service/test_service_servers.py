"""Several servers, one conversation: two `shopcrew serve` processes on one Redis at once."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis
from support.serve_process import start_serve

from shopcrew.service import RedisApiKeyStore
from shopcrew.workers import EventQueue

MERCHANT = "acme"
EMAIL = "amelia.wilson1598@example.com"


@pytest.fixture
def servers(redis_url: str, namespace: str, store_dir: Path, tmp_path: Path) -> Iterator[list[str]]:
    """Two servers of one deployment (one Redis, one namespace); yields their URLs."""
    args = ["--redis", redis_url, "--namespace", namespace, "--store-dir", str(store_dir)]
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    urls: list[str] = []
    try:
        for n in range(2):
            log = tmp_path / f"serve-{n}.log"
            proc, url = start_serve([*args, "--model", "rules"], log)
            started.append((proc, log))
            urls.append(url)
        yield urls
    finally:
        for proc, _ in started:
            proc.terminate()
        for proc, log in started:
            proc.wait(timeout=60)
            # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal it caught.
            assert proc.returncode in (0, -signal.SIGTERM), log.read_text()


def _pending_order(store_dir: Path) -> tuple[str, str]:
    """A pending order of the store and its customer's email."""
    orders = json.loads((store_dir / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((store_dir / "users.json").read_text(encoding="utf-8"))
    order = next(o for o in orders.values() if o["status"] == "pending")
    return order["order_id"], users[order["user_id"]]["email"]


def _orders_of_email(store_dir: Path) -> dict[str, str]:
    """EMAIL's customer's orders and their statuses."""
    orders = json.loads((store_dir / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((store_dir / "users.json").read_text(encoding="utf-8"))
    [user] = [u for u in users.values() if u["email"] == EMAIL]
    return {order: orders[order]["status"] for order in user["orders"]}


async def _post(url: str, key: str, conversation: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        response = await http.post(f"/v1/conversations/{conversation}/messages", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


def _history(url: str, key: str, conversation: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {key}"}
    state = httpx.get(f"{url}/v1/conversations/{conversation}", headers=headers, timeout=60)
    assert state.status_code == 200, state.text
    return list(state.json()["messages"])


@pytest.mark.slow
async def test_two_servers_run_one_conversation_in_turn_and_a_message_id_once(
    servers: list[str], redis_url: str, namespace: str, store_dir: Path
) -> None:
    one, two = servers
    keys = RedisApiKeyStore.from_url(redis_url, namespace=namespace)
    key = keys.create(MERCHANT).key
    await keys.aclose()

    # Two messages of one conversation, one to each server, at the same moment: both run,
    # one after the other, and the history holds each run's messages, whole and in order.
    statuses = _orders_of_email(store_dir)
    first, second = list(statuses)[:2]
    asks = [
        {"id": f"m-{n}", "text": f"Hi, I am {EMAIL}. What is the status of order {order}?"}
        for n, order in enumerate((first, second))
    ]
    runs = await asyncio.gather(_post(one, key, "c1", asks[0]), _post(two, key, "c1", asks[1]))
    replies = [r["reply"].split(".")[0] for r in runs]
    assert replies == [f"Order {o} is {statuses[o]}" for o in (first, second)]
    history = _history(one, key, "c1")
    in_either_order = [runs[0]["messages"] + runs[1]["messages"]]
    in_either_order.append(runs[1]["messages"] + runs[0]["messages"])
    assert history in in_either_order

    # The confirmation of a cancel sent to both servers with one message id: it runs once,
    # the order is cancelled once, and both get the first run's reply.
    order, email = _pending_order(store_dir)
    ask = {"id": "m-cancel", "text": f"Hi, I am {email}. Please cancel order {order}, "}
    ask["text"] += "I ordered it by mistake."
    await _post(one, key, "c2", ask)
    yes = {"id": "m-yes", "text": "yes"}
    answers = await asyncio.gather(_post(one, key, "c2", yes), _post(two, key, "c2", yes))
    assert sorted(a["replayed"] for a in answers) == [False, True]
    assert answers[0] | {"replayed": False} == answers[1] | {"replayed": False}
    assert answers[0]["reply"].startswith(f"Done: order {order} (")
    history = _history(two, key, "c2")
    assert [m["content"] for m in history if m["role"] == "customer"] == [ask["text"], "yes"]
    assert history[-len(answers[0]["messages"]) :] == answers[0]["messages"]
    with Redis.from_url(redis_url) as client:
        effects = EventQueue(client, merchant_id=MERCHANT, namespace=namespace).effects()
    # One write, made by the run of m-yes under its thread's lease.
    assert [e["event"] for e in effects if f"orders:{order}" in e["targets"]] == ["m-yes"]
