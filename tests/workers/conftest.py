"""Fixtures of the worker tests: queues, lanes, worker processes, a cancellable order."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from support.process_lines import ProcessLines

from shopcrew.graphs.events import CustomerMessage
from shopcrew.workers import EventQueue, Processed

HERE = Path(__file__).resolve().parent
MERCHANT = "m1"


def _memory_helpers() -> Any:
    """tests/memory/conftest.py (private redis-server processes), under a name of its own."""
    path = HERE.parent / "memory" / "conftest.py"
    spec = importlib.util.spec_from_file_location("shopcrew_tests_memory_helpers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_MEMORY = _memory_helpers()
RedisProcess = _MEMORY.RedisProcess
free_port = _MEMORY.free_port


@dataclass(frozen=True)
class Cancellation:
    """A pending order of the reference store and the two messages that cancel it."""

    order_id: str
    email: str

    def messages(self, conversation: str) -> list[CustomerMessage]:
        first = (
            f"Hi, my email is {self.email}. Please cancel order {self.order_id}, "
            "I ordered it by mistake."
        )
        return [
            CustomerMessage(conversation_id=conversation, text=first),
            CustomerMessage(conversation_id=conversation, text="yes"),
        ]


def pending_orders(tau_dir: Path) -> list[Cancellation]:
    """Every pending order of the reference store (one per customer), with its email."""
    orders = json.loads((tau_dir / "db" / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((tau_dir / "db" / "users.json").read_text(encoding="utf-8"))
    seen: set[str] = set()
    found = []
    for order in orders.values():
        if order["status"] == "pending" and order["user_id"] not in seen:
            seen.add(order["user_id"])
            found.append(Cancellation(order["order_id"], users[order["user_id"]]["email"]))
    return found


@pytest.fixture
def cancellations(tau_dir: Path) -> list[Cancellation]:
    return pending_orders(tau_dir)


@pytest.fixture
def client(redis_url: str) -> Iterator[Redis]:
    with Redis.from_url(redis_url) as redis:
        yield redis


@pytest.fixture
def queue(client: Redis, namespace: str) -> EventQueue:
    return EventQueue(client, merchant_id=MERCHANT, namespace=namespace)


def wait_processed(
    client: Redis,
    queue: EventQueue,
    check: Callable[[list[Processed]], bool],
    what: str,
    timeout: float = 90.0,
) -> list[Processed]:
    """The processed log once `check` holds of it, woken by each entry the workers append.

    Blocks on `XREAD` of the log's stream (an event from Redis), never on a timer.
    """
    deadline = time.monotonic() + timeout
    while True:
        # The newest entry first, then the log: an entry added in between is seen by `check`
        # or, after it, returned at once by XREAD.
        newest = client.xrevrange(queue.keys.done, count=1)
        last = newest[0][0] if newest else "0-0"
        processed = queue.processed()
        if check(processed):
            return processed
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {what} ({len(processed)} processed)")
        # At most a second a call: below the client's socket timeout (redis-py's default: 5 s).
        client.xread({queue.keys.done: last}, block=max(1, int(min(left, 1.0) * 1000)))


def processed_count(count: int) -> Callable[[list[Processed]], bool]:
    """A `wait_processed` check: at least `count` events processed."""
    return lambda processed: len(processed) >= count


class WorkerProcess:
    """A worker subprocess (`run_worker.py`), killed at teardown if still alive.

    Its output is read line by line (`ProcessLines`): tests wait for the line that says what
    they wait for (`ready`, `paused: ...`) instead of polling.
    """

    def __init__(self, url: str, namespace: str, *extra: str, log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "run_worker.py"), url, namespace, MERCHANT, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines = ProcessLines(self.proc, log)

    def wait_line(self, text: str, *, whole: bool = False, timeout: float = 90.0) -> str:
        """The first line of its output containing `text` (`whole`: equal to it)."""
        return self.lines.wait_for(text, whole=whole, timeout=timeout)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self, timeout: float = 90.0) -> int:
        # Before `ready` its SIGTERM handler is not installed yet: the signal would kill it
        # (exit -15), as happened to a worker still importing when the other had done all.
        self.wait_line("ready", whole=True)
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        self.lines.close()

    def output(self) -> str:
        return self.lines.text()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes: `workers(url, namespace, *extra_args)`."""
    started: list[WorkerProcess] = []

    def start(url: str, namespace: str, *extra: str) -> WorkerProcess:
        proc = WorkerProcess(url, namespace, *extra, log=tmp_path / f"worker-{len(started)}.log")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.close()
