"""τ-bench replay through the tools over the MCP adapters: the oracle's stores, as JSON gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shopcrew.evaluation.results import EvalResult
from shopcrew.evaluation.tau.adapter_replay import PlatformReplay, replay_on_json_adapters
from shopcrew.evaluation.tau.replay import compare_results, load_expected, load_tasks
from shopcrew.tools import RetailStore

pytestmark = pytest.mark.slow  # a server process and a hundred tasks

SUBSET = slice(0, 500, 5)
"""Every fifth dev task (`shopcrew eval replay --platform-mcp` runs all 500)."""


@pytest.mark.parametrize("split", ["dev", "coverage"])
def test_replay_through_the_platform_matches_the_oracle_and_the_json_backend(
    platform_url: str, tau_dir: Path, base_store: RetailStore, split: str
) -> None:
    tasks = load_tasks(tau_dir / f"tasks_{split}.json")
    tasks = tasks[SUBSET] if split == "dev" else tasks
    expected = load_expected(tau_dir / f"expected_{split}.jsonl")
    replay = PlatformReplay(platform_url)
    try:
        remote = replay.replay_all(tasks)
    finally:
        replay.close()
    local = [replay_on_json_adapters(base_store, task) for task in tasks]
    wanted = {task.id: expected[task.id] for task in tasks}
    assert compare_results(remote, wanted, as_json=True) == []
    # Byte for byte what the same tools print over the JSON backend.
    assert remote == local
    assert len({r.final_db_sha256 for r in remote}) > 1  # the writes did change the store


def test_eval_replay_through_the_platform_from_the_command_line(
    platform_url: str, tau_dir: Path, tmp_path: Path
) -> None:
    command = [
        sys.executable, "-c", "from shopcrew.cli import main; main()", "eval", "replay",
        "--tasks", str(tau_dir / "tasks_coverage.json"), "--db", str(tau_dir / "db"),
        "--out", str(tmp_path / "r.jsonl"), "--expected", str(tau_dir / "expected_coverage.jsonl"),
        "--trials", "2", "--concurrency", "2", "--platform-mcp", platform_url,
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "tau-replay: 15/15 tasks match"
    result = EvalResult.read(tmp_path / "r.result.json")
    assert result.figures["matches"] == 15 and result.figures["trials_agree"] is True
