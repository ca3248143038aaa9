"""The command line, run as a subprocess: exit codes, summary lines, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _shopcrew(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from shopcrew.cli import main; main()", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow  # a CLI process
def test_eval_replay_matches_the_coverage_oracle(tau_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run = _shopcrew(
        "eval", "replay", "--tasks", tau_dir / "tasks_coverage.json", "--db", tau_dir / "db",
        "--out", out, "--expected", tau_dir / "expected_coverage.jsonl",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "tau-replay: 15/15 tasks match"
    assert out.read_text() == (tau_dir / "expected_coverage.jsonl").read_text()


@pytest.mark.slow  # a CLI process
def test_eval_replay_reports_mismatches_and_fails(tau_dir: Path, tmp_path: Path) -> None:
    lines = (tau_dir / "expected_coverage.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first["final_db_sha256"] = "0" * 64
    expected = tmp_path / "expected.jsonl"
    expected.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    run = _shopcrew(
        "eval", "replay", "--tasks", tau_dir / "tasks_coverage.json", "--db", tau_dir / "db",
        "--out", tmp_path / "out.jsonl", "--expected", expected,
    )  # fmt: skip
    assert run.returncode == 1
    assert f"mismatch {first['task']}: final_db_sha256" in run.stdout
    assert run.stdout.splitlines()[-1] == "tau-replay: 14/15 tasks match"


@pytest.mark.slow  # a CLI process
def test_missing_task_file_is_one_line_without_traceback(tau_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    run = _shopcrew(
        "eval", "replay", "--tasks", missing, "--db", tau_dir / "db", "--out", tmp_path / "o.jsonl"
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    error_lines = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert error_lines == [f"error: TaskFileError: {missing}: the file does not exist. "
                           "Fix the task file and run again."]  # fmt: skip


@pytest.mark.slow  # a CLI process
def test_malformed_store_is_one_line(tau_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    (db / "orders.json").write_text("{")
    run = _shopcrew(
        "eval", "replay", "--tasks", tau_dir / "tasks_coverage.json", "--db", db,
        "--out", tmp_path / "o.jsonl",
    )  # fmt: skip
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "error: StoreFileError:" in run.stderr and "orders.json: not valid JSON" in run.stderr


def test_a_bad_option_value_names_the_option_and_exits_2() -> None:
    run = _shopcrew("serve", "--max-crews", "0")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        "error: Invalid value for '--max-crews': Input should be greater than or equal to 1"
    ]


@pytest.mark.slow  # CLI processes
@pytest.mark.parametrize(
    "command",
    [
        ["run", "double11_peak_hour", "--volume", "0.01"],
        ["serve", "--port", "1"],
        ["worker", "--redis", "redis://127.0.0.1:1/0", "--merchant", "acme"],
        ["eval", "shopping", "--cases", "none.jsonl", "--db", "none", "--out", "o.jsonl"],
    ],
    ids=lambda command: command[0],
)
def test_a_real_model_without_an_endpoint_stops_with_exit_2_naming_the_variables(
    command: list[str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"OPENAI_API_KEY", "OPENAI_BASE_URL"}}
    run = subprocess.run(
        [sys.executable, "-c", "from shopcrew.cli import main; main()", *command,
         "--model", "openai:gpt-4o"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert [line for line in run.stderr.splitlines() if line.strip()] == [
        "error: model 'openai:gpt-4o' needs an endpoint: set OPENAI_API_KEY (OpenAI) or "
        "OPENAI_BASE_URL (an OpenAI-compatible server), or pass --model rules for the offline "
        "rules model"
    ]
    assert not (tmp_path / "reports").exists()
