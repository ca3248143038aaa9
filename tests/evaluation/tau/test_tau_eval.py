"""`shopcrew eval tau`: whole conversations of the CS agent with a simulated customer.

Tasks are built from the store with users the development tasks never use. The agent is the
rules model; the LLM customer talks over a loopback OpenAI-compatible server.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shopcrew.evaluation.tau.customer import OFFLINE_KNOWS, STOP_TOKEN, LlmCustomer
from shopcrew.evaluation.tau.replay import TauAction, TauTask
from shopcrew.evaluation.tau.run import missing_outputs, play_task, run_tau_eval
from shopcrew.models.factory import resolve_model
from shopcrew.models.rules import RulesChatModel
from shopcrew.settings import Settings
from shopcrew.tools.reference.store import Record, RetailStore


@pytest.fixture(scope="module")
def store(tau_dir: Path) -> RetailStore:
    return RetailStore.load(tau_dir / "db")


@pytest.fixture(scope="module")
def users(store: RetailStore, tau_dir: Path) -> list[tuple[str, Record, list[Record]]]:
    """Users outside the development tasks, with their orders, by id."""
    dev = {task["user_id"] for task in json.loads((tau_dir / "tasks_dev.json").read_text())}
    for _, order in store.items("orders"):
        _ITEM_NAMES.update({str(i["item_id"]): str(i["name"]) for i in order["items"]})
    return [
        (user_id, user, [store.get("orders", o) or {} for o in user["orders"]])
        for user_id, user in sorted(store.items("users"))
        if user_id not in dev
    ]


_ITEM_NAMES: dict[str, str] = {}
"""Item id -> product name, filled by the `users` fixture (for the instructions)."""


def _knows(kwargs: dict[str, Any]) -> str:
    """What a customer's instruction states of one action: ids, item names, details."""
    items = [_ITEM_NAMES.get(str(i), "") for i in kwargs.get("item_ids", [])]
    details = [str(v) for k, v in kwargs.items() if k not in {"item_ids", "new_item_ids"}]
    return " ".join([*details, *items]) + "."


def _task(task_id: str, user_id: str, user: Record, *actions: tuple[str, Any]) -> TauTask:
    # Like τ-bench's dev instructions: the customer knows its orders, items and details.
    told = " ".join(_knows(kwargs) for _, kwargs in actions)
    return TauTask(
        id=task_id,
        user_id=user_id,
        instruction=f"You are {user['name']['first_name']}; your email is {user['email']}. " + told,
        actions=[TauAction(name=name, kwargs=kwargs) for name, kwargs in actions],
    )


@pytest.fixture(scope="module")
def return_task(users: list[tuple[str, Record, list[Record]]]) -> TauTask:
    """Return two differently named items of a delivered order to its original method."""
    for user_id, user, orders in users:
        for order in orders:
            names = {item["name"] for item in order.get("items", [])}
            if order.get("status") == "delivered" and len(names) == len(order["items"]) >= 3:
                items = [item["item_id"] for item in order["items"][:2]]
                method = order["payment_history"][0]["payment_method_id"]
                args = {"order_id": order["order_id"], "item_ids": items}
                return _task(
                    "t-return",
                    user_id,
                    user,
                    ("return_delivered_order_items", {**args, "payment_method_id": method}),
                )
    raise AssertionError("no delivered order fits")


@pytest.fixture(scope="module")
def two_step_task(users: list[tuple[str, Record, list[Record]]]) -> TauTask:
    """Cancel one pending order, then move another pending order to a new address."""
    for user_id, user, orders in users:
        pending = [o for o in orders if o.get("status") == "pending"]
        if len(pending) >= 2:
            address = {
                "address1": "77 Harbor Road", "address2": "Apt 4", "city": "Portland",
                "state": "OR", "country": "USA", "zip": "97205",
            }  # fmt: skip
            return _task(
                "t-two-steps",
                user_id,
                user,
                (
                    "cancel_pending_order",
                    {"order_id": pending[0]["order_id"], "reason": "ordered by mistake"},
                ),
                ("modify_pending_order_address", {"order_id": pending[1]["order_id"], **address}),
            )
    raise AssertionError("no user with two pending orders")


@pytest.fixture(scope="module")
def foreign_cancel_task(
    users: list[tuple[str, Record, list[Record]]], store: RetailStore
) -> TauTask:
    """Cancel another customer's pending order: the tool would, the agent must refuse."""
    user_id, user, _ = users[0]
    other = next(
        order
        for _, order in sorted(store.items("orders"))
        if order["status"] == "pending" and order["user_id"] != user_id
    )
    return _task(
        "t-foreign",
        user_id,
        user,
        ("cancel_pending_order", {"order_id": other["order_id"], "reason": "ordered by mistake"}),
    )


async def test_a_return_played_end_to_end_passes(store: RetailStore, return_task: TauTask) -> None:
    outcome = await play_task(
        return_task, store=store.fork(), agent_model=RulesChatModel(), seed=11
    )
    assert (outcome.passed, outcome.reason, outcome.writes) == (
        True,
        "passed",
        ("return_delivered_order_items",),
    )
    assert outcome.final_sha256 == outcome.expected_sha256
    opening = outcome.transcript[0]
    assert opening["role"] == "customer"
    assert str(return_task.actions[0].kwargs["order_id"]) not in str(opening["content"])
    assert outcome.transcript[-1] == {
        "role": "customer",
        "content": outcome.transcript[-1]["content"],
        "final": True,
    }


async def test_two_requests_in_one_conversation_pass(
    store: RetailStore, two_step_task: TauTask
) -> None:
    outcome = await play_task(
        two_step_task, store=store.fork(), agent_model=RulesChatModel(), seed=5
    )
    assert (outcome.passed, outcome.writes) == (
        True,
        ("cancel_pending_order", "modify_pending_order_address"),
    )


async def test_a_goal_the_agent_refuses_fails_with_the_reason(
    store: RetailStore, foreign_cancel_task: TauTask
) -> None:
    fresh = store.fork()
    outcome = await play_task(
        foreign_cancel_task, store=fresh, agent_model=RulesChatModel(), seed=3
    )
    assert (outcome.passed, outcome.reason, outcome.writes) == (False, "agent_refused", ())
    assert "orders in the account you verified" in outcome.note
    assert outcome.final_sha256 == store.store_sha256() != outcome.expected_sha256


def test_pass_hat_k_comes_from_the_harness(
    store: RetailStore, return_task: TauTask, foreign_cancel_task: TauTask, tmp_path: Path
) -> None:
    out = tmp_path / "tau.jsonl"
    report = run_tau_eval([return_task, foreign_cancel_task], store, trials=2, seed=9, out=out)
    assert report.trials.pass_hat() == {1: 0.5, 2: 0.5}
    assert dict(report.reasons()) == {"passed": 2, "agent_refused": 2}
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((line["task"], line["trial"], line["passed"]) for line in lines) == [
        ("t-foreign", 0, False),
        ("t-foreign", 1, False),
        ("t-return", 0, True),
        ("t-return", 1, True),
    ]
    assert report.lines()[-1].startswith("tau: pass^1 0.500  pass^2 0.500 over 2 tasks x 2")


@pytest.mark.slow  # a CLI process
def test_cli_plays_a_task_file(
    tau_dir: Path, return_task: TauTask, foreign_cancel_task: TauTask, tmp_path: Path
) -> None:
    tasks = tmp_path / "tasks.json"
    tasks.write_text(
        json.dumps([t.model_dump(mode="json") for t in (return_task, foreign_cancel_task)])
    )
    out, result = tmp_path / "out.jsonl", tmp_path / "r.json"
    command = [
        sys.executable, "-c", "from shopcrew.cli import main; main()", "eval", "tau",
        "--tasks", str(tasks), "--db", str(tau_dir / "db"), "--trials", "2",
        "--out", str(out), "--result", str(result),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    last = run.stdout.splitlines()[-1]
    assert last.startswith("tau: pass^1 0.500  pass^2 0.500 over 2 tasks x 2 trials"), last
    assert "agent_refused" in run.stdout
    lines = run.stdout.splitlines()
    assert lines[0] == "agent rules"
    assert lines[1] == f"customer: {OFFLINE_KNOWS}"
    assert "  tasks expecting information: none" in lines
    assert "  tasks expecting no information: 2, pass^1 0.500  pass^2 0.500" in lines
    saved = json.loads(result.read_text())
    assert saved["settings"]["command"] == "tau"
    assert saved["settings"]["model"] == "rules"
    assert saved["figures"]["customer"] == OFFLINE_KNOWS
    assert saved["figures"]["outputs_tasks"] == {"tasks": 0}
    assert saved["figures"]["reasons"] == {"passed": 2, "agent_refused": 2}
    assert len(out.read_text().splitlines()) == 4


def _loopback_module() -> Any:
    path = Path(__file__).resolve().parents[2] / "models" / "conftest.py"
    spec = importlib.util.spec_from_file_location("tau_loopback_server", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def loopback() -> Iterator[Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Any]]:
    """Start loopback OpenAI-compatible servers (tests/models/conftest.py's)."""
    server_class = _loopback_module().LoopbackOpenAI
    started: list[Any] = []

    def start(script: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        server = server_class(script=script)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _customer_script(email: str, order_id: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A scripted LLM user: it answers the agent's latest message (its 'user' turn)."""

    def reply(body: dict[str, Any]) -> dict[str, Any]:
        heard = str(body["messages"][-1]["content"])
        if "How can I help" in heard:
            return {"content": "Hi, I need to cancel an order please."}
        if "email" in heard:
            return {"content": f"Sure, my email is {email}."}
        if "Which order" in heard:
            return {"content": f"It is {order_id}."}
        if "why" in heard:
            return {"content": "I ordered it by mistake."}
        if "Please confirm" in heard:
            return {"content": "Yes, please."}
        if "Done" in heard:
            return {"content": STOP_TOKEN}
        return {"content": "Sorry, what do you need?"}

    return reply


async def test_the_llm_customer_plays_over_an_openai_compatible_endpoint(
    store: RetailStore,
    users: list[tuple[str, Record, list[Record]]],
    loopback: Callable[..., Any],
) -> None:
    user_id, user, orders = next(u for u in users if any(o["status"] == "pending" for o in u[2]))
    order = next(o for o in orders if o["status"] == "pending")
    task = _task(
        "t-llm",
        user_id,
        user,
        ("cancel_pending_order", {"order_id": order["order_id"], "reason": "ordered by mistake"}),
    )
    server = loopback(_customer_script(user["email"], order["order_id"]))
    model = resolve_model(
        "openai:user-sim", settings=Settings(openai_base_url=server.base_url, openai_api_key="k")
    )
    customer = LlmCustomer(model, task.instruction)
    outcome = await play_task(
        task, store=store.fork(), agent_model=RulesChatModel(), customer=customer
    )
    assert (outcome.passed, outcome.reason, outcome.writes) == (
        True,
        "passed",
        ("cancel_pending_order",),
    )
    system = server.requests[0]["messages"][0]
    assert system["role"] == "system"
    assert task.instruction in system["content"] and STOP_TOKEN in system["content"]
    assert server.requests[0]["messages"][1] == {
        "role": "user",
        "content": "Hi! How can I help you today?",
    }
    sent = [m["content"] for m in outcome.transcript if m["role"] == "customer"]
    assert not [text for text in sent if STOP_TOKEN in str(text)]


async def test_outputs_must_be_said_as_tau_bench_checks_them(
    store: RetailStore, return_task: TauTask
) -> None:
    order_id = str(return_task.actions[0].kwargs["order_id"])
    said = return_task.model_copy(update={"outputs": [order_id.lower()]})
    unsaid = return_task.model_copy(update={"outputs": [order_id, "a phrase nobody says"]})
    agent = RulesChatModel()
    ok = await play_task(said, store=store.fork(), agent_model=agent, seed=4)
    missing = await play_task(unsaid, store=store.fork(), agent_model=agent, seed=4)
    assert (ok.passed, ok.reason, ok.missing_outputs) == (True, "passed", ())
    assert (missing.passed, missing.reason, missing.missing_outputs) == (
        False,
        "missing_output",
        ("a phrase nobody says",),
    )
    assert missing.final_sha256 == missing.expected_sha256


def test_outputs_ignore_case_and_the_agents_commas() -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    messages = [
        HumanMessage("what did I pay? 1,234.56 was it?"),
        AIMessage("", tool_calls=[{"name": "calculate", "args": {"x": "1,234.56"}, "id": "c1"}]),
        AIMessage("You paid $1,234.56 for the Desk Lamp."),
    ]
    assert missing_outputs(["1234.56", "desk lamp", "1,234.56", "paid 5"], messages) == (
        "1,234.56",
        "paid 5",
    )


async def test_a_goal_ending_with_a_person_asks_for_one(
    store: RetailStore, return_task: TauTask
) -> None:
    transfer = TauAction(name="transfer_to_human_agents", kwargs={"summary": "wants a person"})
    task = return_task.model_copy(update={"actions": [*return_task.actions, transfer]})
    outcome = await play_task(task, store=store.fork(), agent_model=RulesChatModel(), seed=8)
    assert (outcome.passed, outcome.reason) == (True, "passed")
    calls = [
        call["name"] for message in outcome.transcript for call in message.get("tool_calls") or []
    ]
    assert calls[-1] == "transfer_to_human_agents"
    assert outcome.writes == ("return_delivered_order_items",)
