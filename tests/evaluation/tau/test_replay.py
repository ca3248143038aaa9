"""Replay of τ-bench tasks against the oracle files of ../shared/tau-retail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopcrew.errors import TaskFileError
from shopcrew.evaluation.tau.replay import (
    ReplayMismatch,
    ReplayResult,
    compare_results,
    load_expected,
    load_tasks,
    replay_task,
    replay_tasks,
)
from shopcrew.tools.reference.store import RetailStore


@pytest.fixture(scope="module")
def base_store(tau_dir: Path) -> RetailStore:
    return RetailStore.load(tau_dir / "db")


@pytest.mark.parametrize("split", ["dev", "coverage"])
def test_every_task_matches_the_oracle(tau_dir: Path, base_store: RetailStore, split: str) -> None:
    tasks = load_tasks(tau_dir / f"tasks_{split}.json")
    expected_path = tau_dir / f"expected_{split}.jsonl"
    results = list(replay_tasks(base_store, tasks))
    assert compare_results(results, load_expected(expected_path)) == []
    lines = [result.to_json_line() for result in results]
    assert lines == expected_path.read_text().splitlines()
    assert base_store.store_sha256() == (
        "ae10e8a7f23bedf88c90a528efa2d59d27cae24b5ce1f0d28768b39257bf9f0d"
    )


def test_mismatches_name_the_first_differing_output_the_hash_and_missing_tasks() -> None:
    h1, h2 = "1" * 64, "2" * 64
    results = [
        ReplayResult("a", ("x", "y"), h1),
        ReplayResult("b", ("x",), h1),
        ReplayResult("c", ("x",), h1),
        ReplayResult("extra", (), h1),
    ]
    expected = {
        "a": ReplayResult("a", ("x", "z"), h1),
        "b": ReplayResult("b", ("x",), h2),
        "c": ReplayResult("c", ("x",), h1),
        "gone": ReplayResult("gone", (), h1),
    }
    assert compare_results(results, expected) == [
        ReplayMismatch("a", "output 1: got 'y', expected 'z'"),
        ReplayMismatch("b", f"final_db_sha256 {h1}, expected {h2}"),
        ReplayMismatch("extra", "not in the expected file"),
        ReplayMismatch("gone", "expected but not replayed (missing from the task file)"),
    ]


def test_a_task_replays_on_a_fork(base_store: RetailStore, tau_dir: Path) -> None:
    task = load_tasks(tau_dir / "tasks_dev.json")[0]
    first = replay_task(base_store, task)
    assert replay_task(base_store, task) == first


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(data))
    return path


GOOD = {"id": "t-1", "user_id": "u", "instruction": "i", "actions": [], "outputs": []}


@pytest.mark.parametrize(
    ("data", "task", "field"),
    [
        ([GOOD, {**GOOD, "id": "t-2", "actions": [{"name": "think"}]}], "t-2", "actions.0.kwargs"),
        ([{**GOOD, "user_id": 5}], "t-1", "user_id"),
        ([{**GOOD, "colour": "red"}], "t-1", "colour"),
        ([{k: v for k, v in GOOD.items() if k != "id"}], "#0", "id"),
        ([GOOD, GOOD], "t-1", "id"),
    ],
)
def test_bad_task_file_names_the_task_and_field(
    tmp_path: Path, data: object, task: str, field: str
) -> None:
    with pytest.raises(TaskFileError) as caught:
        load_tasks(_write(tmp_path, data))
    assert (caught.value.task, caught.value.field) == (task, field)


def test_task_file_not_json_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text("[{")
    with pytest.raises(TaskFileError, match="not valid JSON"):
        load_tasks(path)
    with pytest.raises(TaskFileError, match="does not exist"):
        load_tasks(tmp_path / "nope.json")
    with pytest.raises(TaskFileError, match="expected a JSON array"):
        load_tasks(_write(tmp_path, {"id": "x"}))


def test_bad_expected_line(tmp_path: Path) -> None:
    path = tmp_path / "expected.jsonl"
    path.write_text('{"task": "a", "outputs": [], "final_db_sha256": "xyz"}\n')
    with pytest.raises(TaskFileError, match="line 1") as caught:
        load_expected(path)
    assert caught.value.field == "final_db_sha256"
