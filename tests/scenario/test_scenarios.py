"""Every shipped scenario runs green (rules model, in memory and on Redis); failures say why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage

from shopcrew.agents.cs.rules import next_message
from shopcrew.cli import main
from shopcrew.data import scenario_path, scenarios, scenarios_dir
from shopcrew.models.rules import RulesChatModel
from shopcrew.scenario import run_scenario

SCENARIOS = [scenario_path(name) for name in scenarios()]
LISTINGS = scenarios_dir() / "data" / "listings.jsonl"
VOLUME = 0.1
"""Generated conversations are scaled down in tests; expectations hold at any volume."""

FAILING = f"""\
name: failing
title: An audit whose expectations cannot hold
store: {{listings_file: {LISTINGS}}}
clock: {{start: "2026-05-01T09:00:00+08:00"}}
timeline:
  - {{kind: audit_tick, at: "09:00", listing_ids: [itm_217677701912, prd_297f7a56a4]}}
expect:
  - name: the audit finds nothing
    defects_found: 0
  - name: the keyboard listing is a draft
    listing: {{itm_217677701912: {{status: draft}}}}
  - name: nobody escalated
    escalations: {{count: 0}}
"""


@pytest.fixture(params=["memory", "redis"])
def memory(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Run options: in memory, or on the real Redis under the test's namespace."""
    if request.param == "memory":
        return {}
    return {
        "redis_url": request.getfixturevalue("redis_url"),
        "namespace": request.getfixturevalue("namespace"),
    }


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_runs_green(path: Path, memory: dict[str, Any], tmp_path: Path) -> None:
    result = run_scenario(path, volume=VOLUME, out_dir=tmp_path, write_markdown=False, **memory)
    failed = [e for e in result.report["expectations"] if not e["passed"]]
    assert failed == []
    assert result.passed
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["passed"] is True
    assert report["scenario"]["memory"] == ("redis" if memory else "in-memory")
    lines = (tmp_path / "transcript.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e["id"] for e in report["events"]]
    assert report["summary"]["events"] == len(lines)


def test_a_failed_expectation_fails_the_run_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING, encoding="utf-8")
    result = run_scenario(path, write_markdown=False)
    verdicts = {e["name"]: (e["passed"], e["detail"]) for e in result.report["expectations"]}
    assert result.passed is False and result.report["passed"] is False
    assert verdicts["the audit finds nothing"] == (False, "defects found 2, expected 0")
    assert verdicts["the keyboard listing is a draft"] == (
        False,
        "listing itm_217677701912 is active, expected draft",
    )
    assert verdicts["nobody escalated"] == (True, "0 escalations")
    assert verdicts["no policy violation"] == (True, "0 violations")


def test_the_same_seed_replays_the_same_day_and_another_seed_does_not() -> None:
    path = scenario_path("refund_injection")

    def day(seed: int) -> list[tuple[str, str, str, str]]:
        report = run_scenario(path, seed=seed, volume=VOLUME, write_markdown=False).report
        return [(e["at"], e["kind"], e["outcome"], e["detail"]) for e in report["events"]]

    first = day(5)
    assert day(5) == first
    assert day(6) != first


def test_approvals_left_overnight_resume_in_a_new_process_over_redis(
    redis_url: str, namespace: str
) -> None:
    path = scenario_path("overnight_approvals")
    report = run_scenario(
        path, redis_url=redis_url, namespace=namespace, write_markdown=False
    ).report
    events = {e["kind"]: e for e in report["events"] if e["agent"] == "system"}
    assert events["restart"]["detail"].startswith("new crew (reconnected to Redis)")
    faults = [e for e in report["events"] if e["kind"] == "redis_fault"]
    assert [e["outcome"] for e in faults] == ["fault_injected", "done", "fault_injected"]
    assert faults[0]["detail"].startswith("CLIENT KILL of our ")
    assert not faults[0]["detail"].startswith("CLIENT KILL of our 0 ")
    decided = {a["kind"]: a for a in report["approvals"]}
    assert decided["set_campaign_budgets"]["status"] == "approved"
    assert decided["set_campaign_budgets"]["decided_by"] == "owner"
    assert decided["set_listing_status"]["status"] == "expired"
    assert report["budgets"]["after"] != report["budgets"]["before"]
    assert report["passed"] is True


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from shopcrew.cli import main; main()", "run", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.mark.slow  # a CLI process
def test_cli_runs_a_scenario_and_writes_the_report(tmp_path: Path) -> None:
    done = _cli("new_product_launch", "--seed", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "reports" / "new_product_launch"
    assert "PASS the fixes removed them all" in done.stdout
    assert f"report: {Path('reports') / 'new_product_launch'}" in done.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["scenario"]["seed"] == 3
    assert (out / "transcript.jsonl").is_file()


def _main(*args: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """`shopcrew run ...` in this process (the subprocess test covers the console script)."""
    monkeypatch.setattr(sys, "argv", ["shopcrew", "run", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return int(stopped.value.code or 0)


def test_cli_exits_1_and_names_the_failed_expectation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING, encoding="utf-8")
    assert _main(str(path), "--report", str(tmp_path / "out"), monkeypatch=monkeypatch) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "FAIL the audit finds nothing: defects found 2, expected 0" in out
    assert "2 expectation(s) failed" in out
    assert json.loads((tmp_path / "out" / "report.json").read_text())["passed"] is False


def test_cli_reports_a_bad_scenario_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntitle: t\nclock: {start: '2026-01-01T00:00:00+08:00'}\n")
    assert _main(str(path), monkeypatch=monkeypatch) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"ScenarioError: {path}:1: timeline: field required" in err


def test_tokens_and_cost_of_a_priced_model_are_reported(tmp_path: Path) -> None:
    def priced(messages: Sequence[BaseMessage], tools: frozenset[str]) -> AIMessage:
        message = next_message(messages, tools)
        message.usage_metadata = {"input_tokens": 1000, "output_tokens": 100, "total_tokens": 1100}
        message.response_metadata["model_name"] = "gpt-4o-mini"
        return message

    path = tmp_path / "chat.yaml"
    path.write_text(
        "name: chat\ntitle: one question\nclock: {start: '2026-05-01T09:00:00+08:00'}\n"
        "timeline:\n  - {kind: customer_message, conversation: c1, text: 'How long does "
        "shipping take?'}\n",
        encoding="utf-8",
    )
    report = run_scenario(path, model=RulesChatModel(dialogue=priced), write_markdown=False).report
    calls = report["summary"]["model_calls"]
    assert calls >= 1
    assert report["summary"]["tokens"] == {"input": 1000 * calls, "output": 100 * calls}
    assert report["summary"]["cost_usd"] is not None and report["summary"]["cost_usd"] > 0


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_a_server_the_runner_spawned_restarts_at_night_and_the_day_goes_on() -> None:
    path = scenario_path("overnight_approvals")
    report = run_scenario(path, redis_url="spawn", write_markdown=False).report
    faults = [(e["outcome"], e["detail"]) for e in report["events"] if e["kind"] == "redis_fault"]
    assert faults[1] == ("fault_injected", "redis-server restarted (data from its AOF)")
    assert report["scenario"]["redis"] == "spawned"
    decided = {a["kind"]: a["status"] for a in report["approvals"]}
    assert decided == {"set_campaign_budgets": "approved", "set_listing_status": "expired"}
    assert report["passed"] is True


def test_a_restart_fault_is_skipped_with_a_note_on_a_server_the_runner_does_not_own(
    redis_url: str, namespace: str
) -> None:
    path = scenario_path("overnight_approvals")
    report = run_scenario(path, redis_url=redis_url, namespace=namespace).report
    faults = [(e["outcome"], e["detail"]) for e in report["events"] if e["kind"] == "redis_fault"]
    assert faults[1] == ("done", "restart skipped: the runner did not start this Redis server")


def test_an_edited_decision_applies_the_persons_budgets(tmp_path: Path) -> None:
    path = tmp_path / "edit.yaml"
    path.write_text(
        f"""\
name: edit
title: the owner edits the plan
store:
  listings_file: {LISTINGS}
  campaigns:
    - {{id: a, listing_id: itm_625323582505, daily_budget: 500, max_budget: 3000,
       curve: {{a: 9000, k: 2500}}}}
    - {{id: b, listing_id: itm_389077557257, daily_budget: 1500, max_budget: 3000,
       curve: {{a: 2600, k: 600}}}}
policy: {{budget_move_threshold: 0.1}}
clock: {{start: "2026-05-01T09:00:00+08:00"}}
timeline:
  - {{kind: budget_review, at: "09:00"}}
  - {{kind: human_decision, at: "09:30", verdict: edit, by: ana,
     payload: {{budgets: {{a: 900, b: 1100}}}}}}
expect:
  - campaign: {{a: {{budget: 900}}, b: {{budget: 1100}}}}
  - approvals: {{requested: 1, approved: 1}}
""",
        encoding="utf-8",
    )
    report = run_scenario(path, write_markdown=False).report
    assert [e["outcome"] for e in report["events"]] == ["approval_waiting", "approved"]
    assert report["budgets"]["after"] == {"a": 900.0, "b": 1100.0}
    assert report["passed"] is True
