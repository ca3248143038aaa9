"""`shopcrew enqueue` and `shopcrew worker` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from redis import Redis
from typer.testing import CliRunner

from shopcrew.cli import app
from shopcrew.errors import PlatformTableError
from shopcrew.graphs.events import CustomerMessage, OrderEvent
from shopcrew.models import resolve_model
from shopcrew.workers import EventQueue, Worker, WorkerSettings, open_lane
from tests.workers.conftest import MERCHANT

runner = CliRunner()


def _lines(*events: object) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def test_enqueue_adds_every_event_of_a_file_in_order(
    tmp_path: Path, client: Redis, queue: EventQueue, redis_url: str, namespace: str
) -> None:
    events = [
        CustomerMessage(conversation_id="c1", text="Hello").model_dump(mode="json"),
        OrderEvent(order_id="#W0000001", status="paid").model_dump(mode="json"),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(*events), encoding="utf-8")
    args = ["enqueue", str(path), "--redis", redis_url, "--merchant", MERCHANT]
    result = runner.invoke(app, [*args, "--namespace", namespace])
    assert result.exit_code == 0, result.output
    rows = client.xrange(queue.keys.stream)
    assert result.output.split() == [sid.decode() for sid, _ in rows]
    assert [json.loads(f[b"event"])["id"] for _, f in rows] == [e["id"] for e in events]
    assert client.lrange(queue.keys.queue(f"{MERCHANT}:cs:c1"), 0, -1) == [rows[0][0]]


def test_enqueue_refuses_a_file_with_an_invalid_event_and_adds_nothing(
    tmp_path: Path, queue: EventQueue, redis_url: str, namespace: str
) -> None:
    good = CustomerMessage(conversation_id="c1", text="Hello").model_dump(mode="json")
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(good, {"kind": "order_event", "order_id": "#W1"}), encoding="utf-8")
    args = ["enqueue", str(path), "--redis", redis_url, "--namespace", namespace]
    result = runner.invoke(app, [*args, "--merchant", MERCHANT])
    assert result.exit_code != 0
    assert isinstance(result.exception, ValueError)
    assert "line 2: order_event.status: Field required" in str(result.exception)
    assert queue.length() == 0


def test_worker_without_redis_says_how_to_fix_it() -> None:
    result = runner.invoke(app, ["worker", "--redis", ""], env={"REDIS_URL": ""})
    assert result.exit_code != 0
    assert "pass --redis URL or set REDIS_URL" in result.output


def test_conversation_prints_the_replies_a_worker_left(
    tmp_path: Path, client: Redis, redis_url: str, namespace: str
) -> None:
    text = "Hi, I am amelia.wilson1598@example.com. Status of order #W9077205?"
    path = tmp_path / "events.jsonl"
    path.write_text(_lines({"kind": "customer_message", "conversation_id": "c1", "text": text}))
    options = ["--redis", redis_url, "--merchant", MERCHANT, "--namespace", namespace]
    assert runner.invoke(app, ["enqueue", str(path), *options]).exit_code == 0
    lane = open_lane(redis_url, model=resolve_model("rules"), merchant_id=MERCHANT,
                     namespace=namespace)  # fmt: skip
    try:
        stats = Worker(client, [lane], settings=WorkerSettings()).run(max_events=1)
    finally:
        lane.close()
    assert stats.processed == 1
    shown = runner.invoke(app, ["conversation", "c1", *options])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines() == [
        f"customer: {text}",
        "assistant: Order #W9077205 is delivered. Tracking number: 882867966563. "
        "Amount paid: $591.58.",
        "(idle)",
    ]


def test_conversation_nobody_wrote_says_so(redis_url: str, namespace: str) -> None:
    options = ["--redis", redis_url, "--merchant", MERCHANT, "--namespace", namespace]
    shown = runner.invoke(app, ["conversation", "c-none", *options])
    assert shown.exit_code == 1
    assert "no conversation 'c-none' of merchant 'm1'" in shown.output


def test_worker_on_a_platform_with_a_bad_table_refuses_before_it_starts(
    tmp_path: Path, redis_url: str, namespace: str
) -> None:
    table = tmp_path / "shop.yaml"
    table.write_text("platform: shop\noperations: {}\n", encoding="utf-8")
    options = ["--redis", redis_url, "--merchant", MERCHANT, "--namespace", namespace]
    env = {"SHOPCREW_PLATFORM_MCP_URL": "http://127.0.0.1:9/mcp", "SHOPCREW_PLATFORM": str(table)}
    result = runner.invoke(app, ["worker", *options], env=env)
    assert result.exit_code != 0
    assert isinstance(result.exception, PlatformTableError)
    assert (result.exception.path, result.exception.field) == (str(table), "idempotency_argument")
    named = runner.invoke(app, ["worker", *options, "--platform", "shopify"], env=env)
    assert isinstance(named.exception, PlatformTableError)
    assert "bundled: reference" in str(named.exception)
