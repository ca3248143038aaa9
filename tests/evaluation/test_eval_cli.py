"""`shopcrew eval ...` end to end on small files: trials, result files, time limits, compare."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopcrew.evaluation.harness import derive_seed
from shopcrew.evaluation.results import EvalResult, file_sha256

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = Path(os.environ.get("SHOPCREW_SHARED", ROOT.parent / "shared")) / "eval"


def _shopcrew(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from shopcrew.cli import main; main()", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def _head(source: Path, target: Path, lines: int) -> Path:
    kept = source.read_text(encoding="utf-8").splitlines()[:lines]
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


@pytest.mark.slow  # CLI processes
def test_cs_with_trials_writes_transcripts_per_trial_and_the_result_file(
    tau_dir: Path, tmp_path: Path
) -> None:
    cases = _head(EVAL_DIR / "cs_dev.jsonl", tmp_path / "cases.jsonl", 4)
    out = tmp_path / "cs.jsonl"
    run = _shopcrew(
        "eval", "cs", "--cases", cases, "--db", tau_dir / "db", "--kb", EVAL_DIR / "cs_kb.jsonl",
        "--out", out, "--trials", "2", "--seed", "11", "--concurrency", "2",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "model: rules"
    assert lines[-1].startswith("cs: passed ") and "/8 graded (" in lines[-1]
    assert lines[-2].startswith("pass^k over 4 cases x 2 trials: k=1 ")
    assert out.read_text() == (tmp_path / "cs.trial1.jsonl").read_text()  # rules: same play
    result = EvalResult.read(tmp_path / "cs.result.json")
    settings = result.settings
    assert (settings.command, settings.model, settings.seed) == ("cs", "rules", 11)
    assert (settings.trials, settings.concurrency, settings.time_limit_s) == (2, 2, None)
    assert settings.data_sha256 == file_sha256(cases)
    assert settings.started_at is not None and settings.finished_at is not None
    assert settings.started_at <= settings.finished_at
    ids = [json.loads(line)["id"] for line in cases.read_text().splitlines()]
    assert [case.id for case in result.cases] == ids
    assert result.cases[0].results[1].seed == derive_seed(11, ids[0], 1)
    passed = sum(case.successes for case in result.cases)
    assert result.figures["passed"] == passed
    assert f"/8 graded ({100 * passed / 8:.1f}%), 0 not graded" in lines[-1]


def test_a_time_limit_fails_slow_cases_and_the_run_finishes(tau_dir: Path, tmp_path: Path) -> None:
    cases = _head(EVAL_DIR / "cs_dev.jsonl", tmp_path / "cases.jsonl", 2)
    run = _shopcrew(
        "eval", "cs", "--cases", cases, "--db", tau_dir / "db", "--out", tmp_path / "cs.jsonl",
        "--time-limit", "0.001", "--result", tmp_path / "r.json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    langs = [json.loads(line)["lang"] for line in cases.read_text().splitlines()]
    zh, en = langs.count("zh"), langs.count("en")
    last = f"cs: passed 0/2 graded (0.0%), 0 not graded, violations 0, zh 0/{zh}, en 0/{en}"
    assert run.stdout.splitlines()[-1] == last
    assert "timeout after 0.001s" in run.stdout
    result = EvalResult.read(tmp_path / "r.json")
    assert [case.errors for case in result.cases] == [["timeout after 0.001s"]] * 2
    assert result.settings.time_limit_s == 0.001


@pytest.mark.slow  # CLI processes
def test_listings_trials_agree_and_compare_tells_noise_from_an_injected_regression(
    tmp_path: Path,
) -> None:
    listings = _head(EVAL_DIR / "listings_dev.jsonl", tmp_path / "listings.jsonl", 12)
    first = _shopcrew(
        "eval", "listings", "--listings", listings, "--out", tmp_path / "a.jsonl", "--trials", "4"
    )
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert (
        lines[-3] == "pass^k over 12 cases x 4 trials: k=1 1.000, k=2 1.000, k=3 1.000, k=4 1.000"
    )
    assert lines[-2] == "trials agree on every case (4 trials, deterministic)"
    assert lines[-1].startswith("listings: micro-P=1.000, micro-R=1.000, exact=12/12")
    second = _shopcrew("eval", "listings", "--listings", listings, "--out", tmp_path / "b.jsonl")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == lines[-1]  # one trial: the old printout
    a, b = tmp_path / "a.result.json", tmp_path / "b.result.json"
    same = _shopcrew("eval", "compare", a, b, "--fail-on-regression")
    assert same.returncode == 0, same.stderr
    assert same.stdout.splitlines()[-1] == "compare: no change"
    assert "cases: 0 better, 0 worse, 12 unchanged, 0 added, 0 removed" in same.stdout
    data = json.loads(a.read_text())
    for case in data["cases"][:10]:  # ten listings now fail every trial
        case["successes"] = 0
        for trial in case["results"]:
            trial["passed"] = False
    worse = tmp_path / "worse.json"
    worse.write_text(json.dumps(data))
    strict = _shopcrew("eval", "compare", a, worse, "--fail-on-regression")
    assert strict.returncode == 1, strict.stderr
    assert strict.stdout.splitlines()[-1] == "compare: significant regression"
    assert "p=0.00195 (beyond noise at alpha=0.05)" in strict.stdout  # 10 of 10 down: 2 / 2^10


@pytest.mark.slow  # CLI processes
def test_markets_and_replay_with_trials_keep_their_last_lines(
    tau_dir: Path, tmp_path: Path
) -> None:
    trials = 2
    markets = _head(EVAL_DIR / "markets_dev.jsonl", tmp_path / "markets.jsonl", 3)
    run = _shopcrew(
        "eval", "markets", "--markets", markets, "--out", tmp_path / "m.jsonl",
        "--trials", str(trials),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("markets: mean regret=")
    assert len((tmp_path / "m.jsonl").read_text().splitlines()) == 3
    figures = EvalResult.read(tmp_path / "m.result.json").figures
    assert figures["graded"] == 3 and figures["violations"] == 0
    replay = _shopcrew(
        "eval", "replay", "--tasks", tau_dir / "tasks_coverage.json", "--db", tau_dir / "db",
        "--out", tmp_path / "r.jsonl", "--expected", tau_dir / "expected_coverage.jsonl",
        "--trials", str(trials), "--concurrency", "2",
    )  # fmt: skip
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.splitlines()[-1] == "tau-replay: 15/15 tasks match"
    result = EvalResult.read(tmp_path / "r.result.json")
    assert result.figures["matches"] == 15
    assert result.pass_hat_k == {k: 1.0 for k in range(1, trials + 1)}
