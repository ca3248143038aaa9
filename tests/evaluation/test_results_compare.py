"""The result file (round trip, settings, versions) and `compare` (regressions versus noise)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from shopcrew.errors import ResultFileError
from shopcrew.evaluation.compare import compare_files, compare_runs
from shopcrew.evaluation.harness import CaseResult, TrialsResult, Usage, run_trials_sync
from shopcrew.evaluation.results import (
    EvalResult,
    capture_settings,
    default_result_path,
    file_sha256,
)

ROOT = Path(__file__).resolve().parents[2]


def _run(wins: dict[str, int], *, trials: int, seed: int = 0) -> TrialsResult:
    """Case id -> how many of its trials pass (the first ones)."""

    def play(case_id: str, trial: int, trial_seed: int) -> CaseResult:
        usage = Usage(100, 20, 0.001, 1)
        return CaseResult(case_id, trial, trial_seed, trial < wins[case_id], 0.0, usage=usage)

    return run_trials_sync(list(wins), play, trials=trials, seed=seed)


def _result(wins: dict[str, int], *, trials: int, data: Path) -> EvalResult:
    run = _run(wins, trials=trials)
    settings = capture_settings("cs", data_file=data, model="rules", trials=trials)
    passed = sum(min(v, trials) for v in wins.values())
    return run.to_result(settings, figures={"passed": passed, "by_lang": {"en": {"rate": 0.5}}})


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "x"}\n')
    return path


def test_result_file_round_trips_and_carries_settings(data: Path, tmp_path: Path) -> None:
    run = _run({"a": 2, "b": 0}, trials=3, seed=5)
    settings = {"command": "tau", "data_file": str(data), "model": "rules", "tasks": "t.json"}
    written = run.to_result(settings, figures={"pass_rate": 1 / 3}).write(tmp_path / "r.json")
    back = EvalResult.read(written)
    assert back == run.to_result(settings, figures={"pass_rate": 1 / 3}).model_copy(
        update={"settings": back.settings}
    )
    assert back.settings.command == "tau"
    assert (back.settings.seed, back.settings.trials, back.settings.concurrency) == (5, 3, 1)
    assert back.settings.extra == {"tasks": "t.json"}
    assert back.settings.python and back.settings.platform
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    assert back.settings.git_commit == (commit or None)
    assert [(c.id, c.trials, c.successes) for c in back.cases] == [("a", 3, 2), ("b", 3, 0)]
    assert back.cases[0].pass_hat_k == pytest.approx({1: 2 / 3, 2: 1 / 3, 3: 0.0})
    assert back.pass_hat_k == pytest.approx({1: 1 / 3, 2: 1 / 6, 3: 0.0})
    assert back.usage.input_tokens == 600
    assert back.usage.cost_usd == pytest.approx(0.006)
    assert [r.seed for r in back.cases[0].results] == [r.seed for r in run.results[:3]]
    raw = json.loads(written.read_text())
    assert (raw["schema"], raw["schema_version"]) == ("shopcrew.eval-result", 1)


def test_capture_settings_hashes_the_data_file(data: Path) -> None:
    settings = capture_settings("listings", data_file=data)
    assert settings.data_sha256 == file_sha256(data) == hashlib.sha256(b'{"id": "x"}\n').hexdigest()
    assert settings.data_file == str(data)


def test_default_result_path_sits_next_to_out(tmp_path: Path) -> None:
    assert default_result_path(tmp_path / "cs.jsonl") == tmp_path / "cs.result.json"
    assert default_result_path(tmp_path / "out") == tmp_path / "out.result.json"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{", "not valid JSON"),
        ('{"schema": "other"}', "not an eval result file"),
        ('{"schema": "shopcrew.eval-result", "schema_version": 2}', "schema version 2"),
        ('{"schema": "shopcrew.eval-result", "schema_version": 1}', "settings"),
    ],
)
def test_unreadable_result_files_are_refused_clearly(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ResultFileError, match=message) as caught:
        EvalResult.read(path)
    assert "re-run the eval" in str(caught.value)


def test_compare_finds_an_injected_regression(data: Path, tmp_path: Path) -> None:
    wins = {f"c{i}": 10 for i in range(30)}
    broken = {**wins, **{f"c{i}": 0 for i in range(20)}, "c29": 9}
    a = _result(wins, trials=10, data=data).write(tmp_path / "a.json")
    b = _result(broken, trials=10, data=data).write(tmp_path / "b.json")
    comparison = compare_files(a, b)
    worse = comparison.with_verdict("worse")
    assert [c.case_id for c in worse] == [f"c{i}" for i in range(20)] + ["c29"]
    assert all(c.significant for c in worse[:20])
    assert not worse[-1].significant  # 10/10 -> 9/10 is noise
    assert comparison.significant_regression
    assert comparison.set_p_value == pytest.approx(2 * 0.5**21)
    lines = comparison.lines()
    assert lines[-1] == "compare: significant regression"
    assert "  worse   c29: 10/10 -> 9/10 (p=1, noise)" in lines
    assert "  passed: 300 -> 99 (-201)" in lines
    # Swapped, the same difference is an improvement.
    assert compare_files(b, a).lines()[-1] == "compare: significant improvement"


def test_one_case_flip_with_one_trial_is_noise(data: Path, tmp_path: Path) -> None:
    wins = {f"c{i}": 1 for i in range(10)}
    a = _result(wins, trials=1, data=data).write(tmp_path / "a.json")
    b = _result({**wins, "c3": 0}, trials=1, data=data).write(tmp_path / "b.json")
    comparison = compare_files(a, b)
    assert not comparison.significant_regression
    assert comparison.set_p_value == 1.0
    lines = comparison.lines()
    assert "  worse   c3: 1/1 -> 0/1 (1 trial: noise cannot be judged)" in lines
    assert "per case: 1 trial, so noise cannot be judged case by case (run --trials k)" in lines
    assert lines[-1] == "compare: changes within noise"


def test_one_case_flip_over_trials_is_noise_and_identical_runs_are_unchanged(
    data: Path, tmp_path: Path
) -> None:
    wins = {f"c{i}": 5 for i in range(5)}
    a = _result(wins, trials=5, data=data)
    b = _result({**wins, "c0": 3}, trials=5, data=data)
    comparison = compare_runs(a, b)
    (worse,) = comparison.with_verdict("worse")
    assert worse.p_value == pytest.approx(0.4444, abs=1e-4)  # Fisher [[5,0],[3,2]]
    assert not comparison.significant_regression
    assert compare_runs(a, a).lines()[-1] == "compare: no change"


def test_added_removed_cases_and_other_data_are_reported(data: Path, tmp_path: Path) -> None:
    a = _result({"x": 1, "gone": 1}, trials=1, data=data)
    other = tmp_path / "other.jsonl"
    other.write_text("different\n")
    b = _result({"x": 1, "new": 0}, trials=1, data=other)
    comparison = compare_runs(a, b)
    assert [(c.case_id, c.verdict) for c in comparison.cases] == [
        ("x", "same"),
        ("gone", "removed"),
        ("new", "added"),
    ]
    assert comparison.warnings[0].startswith("the data files differ")


def test_compare_refuses_runs_of_different_commands(data: Path) -> None:
    a = _result({"x": 1}, trials=1, data=data)
    b = a.model_copy(update={"settings": a.settings.model_copy(update={"command": "markets"})})
    with pytest.raises(ResultFileError, match="'cs' result and B a 'markets' result"):
        compare_runs(a, b)
