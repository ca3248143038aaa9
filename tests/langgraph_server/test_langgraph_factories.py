"""The graph factories `langgraph.json` names, called as the server calls them (no server)."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from shopcrew.errors import ServerGraphConfigError, StoreFileError, UnknownModelSpecError
from shopcrew.langgraph_app import MODEL_ENV, STORE_DIR_ENV, crew, cs_agent

ROOT = Path(__file__).resolve().parents[2]


def _config(**configurable: object) -> dict[str, object]:
    # As the server passes it: its own keys beside the assistant's.
    return {"configurable": {"thread_id": "t", "assistant_id": "a", **configurable}}


@pytest.fixture
def merchant() -> str:
    return f"m-{uuid4().hex[:8]}"


def test_langgraph_json_names_the_factories() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text(encoding="utf-8"))
    paths = {graph: spec["path"] for graph, spec in config["graphs"].items()}
    assert paths == {
        "crew": "shopcrew.langgraph_app:crew",
        "cs_agent": "shopcrew.langgraph_app:cs_agent",
    }


def test_the_graphs_come_without_checkpointer_or_store(merchant: str) -> None:
    built = crew(_config(merchant_id=merchant))
    alone = cs_agent(_config(merchant_id=merchant))
    assert (built.name, built.checkpointer, built.store) == ("crew", None, None)
    assert (alone.name, alone.checkpointer, alone.store) == ("cs_agent", None, None)
    assert crew(_config(merchant_id=merchant)) is built


@pytest.mark.parametrize(("threshold", "waits"), [(None, True), (1000.0, False)])
def test_a_merchant_policy_from_the_config_reaches_the_planner(
    threshold: float | None,
    waits: bool,
    merchant: str,
    store_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(STORE_DIR_ENV, str(store_dir))
    policy = {} if threshold is None else {"budget_move_threshold": threshold}
    config = _config(merchant_id=merchant, policy=policy)
    # As the server runs it: a copy with its own checkpointer and store.
    graph = crew(config).copy(update={"checkpointer": InMemorySaver(), "store": InMemoryStore()})
    out = graph.invoke({"event": {"kind": "budget_review_tick"}}, config)
    assert ("__interrupt__" in out) is waits
    assert out.get("report", {}).get("applied", False) is not waits


@pytest.mark.parametrize(
    ("configurable", "where"),
    [
        ({"merchant_id": "acme corp"}, "merchant_id"),
        ({"policy": {"budget_move_threshold": -1}}, "policy.budget_move_threshold"),
        ({"policy": {"budget_move_thresold": 0.1}}, "policy.budget_move_thresold"),
    ],
)
def test_a_bad_config_is_refused_naming_the_key(
    configurable: dict[str, object], where: str
) -> None:
    with pytest.raises(ServerGraphConfigError, match=rf"^configurable\.{where}: ") as raised:
        crew(_config(**configurable))
    assert raised.value.where == where


def test_the_model_comes_from_the_config_else_the_environment(
    merchant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_ENV, "no-such-model")
    with pytest.raises(UnknownModelSpecError):
        cs_agent(_config(merchant_id=merchant))
    assert cs_agent(_config(merchant_id=merchant, model="rules")).name == "cs_agent"


def test_a_missing_store_dir_is_refused(
    merchant: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(STORE_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(StoreFileError):
        crew(_config(merchant_id=merchant))
