"""The embedding examples run as a user runs them (a subprocess), in memory and on Redis.

Each example's printed reply, steps and budgets are checked against the library run in this
process on the same inputs, and, on Redis, against what the example left in Redis.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from langchain_core.messages import AIMessage

from shopcrew.agents.approvals.queue import ApprovalQueue
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import CustomerMessage, thread_for
from shopcrew.memory import connect
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import REFERENCE_STORE_DIR

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MERCHANT = "acme"
RUN_TIMEOUT = 600
"""Seconds; generous, as the examples run beside the rest of the suite on two cores."""

sys.path.insert(0, str(EXAMPLES))
from demo_shop import EMAIL, ORDER, demo_adapters  # noqa: E402


@dataclass(frozen=True)
class Run:
    """An example's output, split into the lines the tests read."""

    lines: list[str]
    conversation: str

    def tagged(self, tag: str) -> list[str]:
        """Lines of one conversation, their `[tag] ` removed (untagged lines for the sync one)."""
        prefix = f"[{tag}] "
        return [x.removeprefix(prefix) for x in self.lines if x.startswith(prefix)]

    def one(self, pattern: str, lines: list[str] | None = None) -> re.Match[str]:
        found = [m for x in (self.lines if lines is None else lines) if (m := re.match(pattern, x))]
        assert len(found) == 1, f"{pattern!r} matched {len(found)} lines"
        return found[0]


def _run(example: str, *args: str) -> Run:
    conversation = f"c-{uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SHOPCREW_REDIS_URL"}}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example), "--conversation", conversation, *args],
        cwd=tempfile.gettempdir(),  # the examples read nothing from the working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    return Run(lines=done.stdout.splitlines(), conversation=conversation)


def demo_store_dir() -> Path:
    if not REFERENCE_STORE_DIR.is_dir():
        pytest.fail(f"{REFERENCE_STORE_DIR} is missing: the bundled store was not installed")
    return REFERENCE_STORE_DIR


def _memory_line(backend: list[str]) -> str:
    return f"memory: redis namespace={backend[3]}" if backend else "memory: in-memory"


@pytest.fixture(scope="module")
def status_turn() -> dict[str, Any]:
    """The library's own answer to the examples' first message: reply and tool calls."""
    crew = build_crew(
        model=resolve_model("rules"),
        adapters=demo_adapters(demo_store_dir(), merchant_id=MERCHANT),
        merchant_id=MERCHANT,
    )
    text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
    out = send_event(crew, CustomerMessage(conversation_id="x", text=text), merchant_id=MERCHANT)
    calls = [c["name"] for m in out["messages"] if isinstance(m, AIMessage) for c in m.tool_calls]
    return {"reply": out["messages"][-1].text, "calls": calls}


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The examples' memory options: none (in memory), or the test Redis under a namespace."""
    if request.param == "memory":
        yield []
        return
    redis_url = request.getfixturevalue("redis_url")
    namespace = request.getfixturevalue("namespace")
    yield ["--redis", redis_url, "--namespace", namespace]


def _check_status_turn(lines: list[str], expected: dict[str, Any]) -> None:
    """The first turn: steps in order, tokens that add up to the reply, the library's reply."""
    reply = next(x.removeprefix("reply: ") for x in lines if x.startswith("reply: "))
    tokens = next(x.removeprefix("tokens: ") for x in lines if x.startswith("tokens: "))
    assert reply == expected["reply"]
    assert "".join(tokens.split("|")) == reply
    turn = lines[: lines.index(f"reply: {reply}")]
    steps = [x.removeprefix("step: ") for x in turn if x.startswith("step: ")]
    called = [x.split(" calls ")[1] for x in steps if " calls " in x]
    assert steps[0] == "accept_event"
    assert called == expected["calls"]
    assert steps[-1] == "cs_agent"


def _check_redis(
    run: Run, redis_url: str, namespace: str, *, escalation_status: str, reply: str
) -> None:
    """What the example left in Redis matches what it printed."""
    approved = json.loads(run.one(r"^budgets: (.*)$").group(1))
    with connect(redis_url, merchant_id=MERCHANT, namespace=namespace) as memory:
        [record] = ApprovalQueue(memory.store, merchant_id=MERCHANT).records()
        assert record.request.status == "approved"
        assert record.request.decided_by == "ana"
        assert json.loads(record.result or "{}") == {"budgets": approved}
        crew = build_crew(
            model=resolve_model("rules"),
            checkpointer=memory.checkpointer,
            store=memory.store,
            adapters=demo_adapters(demo_store_dir(), merchant_id=MERCHANT),
            merchant_id=MERCHANT,
        )
        event = CustomerMessage(conversation_id=run.conversation, text="-")
        config = {"configurable": {"thread_id": thread_for(event, merchant_id=MERCHANT)}}
        state = crew.get_state(config)
        assert state.next == ()
        assert state.values["escalation"]["status"] == escalation_status
        assert state.values["messages"][-1].text == reply


@pytest.mark.slow
def test_the_sync_example_streams_escalates_and_approves(
    backend: list[str], status_turn: dict[str, Any]
) -> None:
    run = _run("embed_sync.py", "--merchant", MERCHANT, *backend)
    assert run.lines[0] == _memory_line(backend)
    _check_status_turn(run.lines, status_turn)

    ticket = run.one(r"^pending: escalation (esc-\w+) reason=(\w+)$")
    assert ticket.group(2) == "customer_request"
    resumed = run.one(r"^resumed: escalation (\w+): (.*)$")
    assert resumed.group(1) == "in_progress"

    pending = run.one(r"^pending: approval (\S+) set_campaign_budgets (.*)$")
    decided = run.one(r"^decided: (\S+) (\w+)$")
    assert decided.groups() == (pending.group(1), "approved")
    assert json.loads(run.one(r"^budgets: (.*)$").group(1)) == json.loads(pending.group(2))
    if backend:
        _check_redis(
            run,
            backend[1],
            backend[3],
            escalation_status="in_progress",
            reply=resumed.group(2),
        )


@pytest.mark.slow
def test_the_async_example_serves_two_customers_at_once(
    backend: list[str], status_turn: dict[str, Any]
) -> None:
    run = _run("embed_async.py", "--merchant", MERCHANT, *backend)
    assert run.lines[0] == _memory_line(backend)
    first, second = run.tagged(run.conversation), run.tagged(f"{run.conversation}-b")
    first_turn = first[: next(i for i, x in enumerate(first) if x.startswith("reply: ")) + 1]
    _check_status_turn(first_turn, status_turn)
    other_reply = run.one(r"^reply: (.*)$", second).group(1)
    assert "30 days" in other_reply and "(source: " not in other_reply  # no article ids
    assert "".join(run.one(r"^tokens: (.*)$", second).group(1).split("|")) == other_reply

    resumed = run.one(r"^resumed: escalation (\w+): (.*)$")
    assert resumed.group(1) == "resolved"
    pending = run.one(r"^pending: approval (\S+) set_campaign_budgets (.*)$")
    proposed = json.loads(pending.group(2))
    applied = json.loads(run.one(r"^budgets: (.*)$").group(1))
    assert applied == {k: float(math.floor(v)) for k, v in proposed.items()}
    if backend:
        _check_redis(
            run, backend[1], backend[3], escalation_status="resolved", reply=resumed.group(2)
        )
