"""`shopcrew eval demand` end to end on a slice of the dev markets, and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EVAL_DIR

MARKETS = EVAL_DIR / "demand_dev.jsonl"
TRUTH = EVAL_DIR / "demand_dev_truth.jsonl"


def _shopcrew(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from shopcrew.cli import main; main()", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _head(target: Path, lines: int) -> Path:
    kept = MARKETS.read_text(encoding="utf-8").splitlines()[:lines]
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


@pytest.mark.slow
@pytest.mark.skipif(not MARKETS.exists(), reason="no dev set")
def test_eval_demand_writes_answers_and_prints_the_formats_figures(tmp_path: Path) -> None:
    markets = _head(tmp_path / "markets.jsonl", 2)
    out, figures = tmp_path / "answers.jsonl", tmp_path / "figures.json"
    run = _shopcrew(
        "eval", "demand", "--markets", markets, "--out", out, "--truth", TRUTH,
        "--trials", "2", "--json", figures,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    last = run.stdout.splitlines()[-1]
    assert last.startswith("demand: MASE=") and "violations=0" in last
    assert "trials agree" in run.stdout
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in answers] == ["dm-dev-01", "dm-dev-02"]
    first = answers[0]
    series = first["forecast"]["s01"]["east"]
    assert len(series["point"]) == len(series["lo"]) == len(series["hi"]) == 28
    assert all(lo <= hi for lo, hi in zip(series["lo"], series["hi"], strict=True))
    assert "east" not in {r for by_region in first["plan"].values() for r in by_region}
    per_market = json.loads(figures.read_text(encoding="utf-8"))["markets"]
    assert [m["violations"] for m in per_market] == [[], []]
    assert all(m["regret"] < 0.15 for m in per_market)
    result = json.loads((tmp_path / "answers.result.json").read_text(encoding="utf-8"))
    assert result["figures"]["violations"] == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json\n", "line 1: not JSON"),
        # A CLI process importing the forecasting stack: one case in the fast loop is enough.
        pytest.param('{"id": "m1"}\n', "line 1, market 'm1'", marks=pytest.mark.slow),
    ],
)
def test_eval_demand_exits_2_on_a_malformed_market_file(
    tmp_path: Path, content: str, problem: str
) -> None:
    markets = tmp_path / "markets.jsonl"
    markets.write_text(content, encoding="utf-8")
    run = _shopcrew("eval", "demand", "--markets", markets, "--out", tmp_path / "out.jsonl")
    assert run.returncode == 2
    assert problem in run.stderr
    assert not (tmp_path / "out.jsonl").exists()
