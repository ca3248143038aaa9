"""`shopcrew eval shopping`: rules-model figures, and a "real model" over a loopback server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr
from support.openai_loopback import Script, loopback_servers

from shopcrew.evaluation.shopping.format import ShoppingCase, load_shopping_cases
from shopcrew.evaluation.shopping.run import run_shopping_trials

HERE = Path(__file__).resolve().parent
SYNTHETIC = [HERE / "shopping_synthetic.jsonl", HERE / "shopping_synthetic2.jsonl"]


@pytest.mark.slow
def test_dev_set_with_the_rules_model(tau_dir: Path, tmp_path: Path) -> None:
    cases = tau_dir.parent / "eval" / "shopping_dev.jsonl"
    report = run_shopping_trials(cases, tau_dir / "db", "rules", tmp_path / "out.jsonl")
    figures = report.figures()
    assert figures["rate"] >= 0.95
    assert figures["violations"] == 0
    assert figures["optimum_cases"]["rate"] == 1.0
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 120


@pytest.mark.slow
@pytest.mark.parametrize("cases", SYNTHETIC, ids=lambda p: p.stem)
def test_our_synthetic_sets_with_the_rules_model(
    cases: Path, tau_dir: Path, tmp_path: Path
) -> None:
    figures = run_shopping_trials(cases, tau_dir / "db", "rules", tmp_path / "o.jsonl").figures()
    assert figures["rate"] >= 0.9 and figures["violations"] == 0


@pytest.mark.slow  # a CLI process
def test_the_cli_writes_answers_and_prints_the_figures(tau_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = SYNTHETIC[1].read_text(encoding="utf-8").splitlines()[:6]
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "answers.jsonl"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from shopcrew.cli import main; main()",
            "eval",
            "shopping",
            "--cases",
            str(cases),
            "--db",
            str(tau_dir / "db"),
            "--out",
            str(out),
            "--trials",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    printed = run.stdout.splitlines()
    assert printed[0] == "model: rules"
    assert printed[-1] == "shopping: passed 12/12 (100.0%), violations 0, zh 4/4, en 8/8"
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    assert [a["id"] for a in answers] == [json.loads(line)["id"] for line in lines]
    assert set(answers[0]) == {"id", "recommendation", "total", "messages"}
    saved = json.loads(out.with_name("answers.result.json").read_text())
    assert saved["settings"]["command"] == "shopping"
    assert saved["figures"]["violations"] == 0


@pytest.fixture
def loopback() -> Iterator[Callable[[Script], Any]]:
    with loopback_servers() as start:
        yield start


def _scripted_model(cases: list[ShoppingCase]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A stand-in LLM: it 'understands' each wish as the case's constraints say, and calls
    `recommend` with them (asking for the budget first on a clarify case)."""
    by_first_turn = {case.turns[0]: case for case in cases}

    def reply(body: dict[str, Any]) -> dict[str, Any]:
        users = [m["content"] for m in body["messages"] if m["role"] == "user"]
        case = by_first_turn[users[0]]
        c = case.constraints
        assert c is not None
        if case.category == "clarify" and len(users) == 1:
            return {"content": "What's your budget?"}
        if c.not_sold:
            return {"content": f"Sorry, we don't sell {c.not_sold}."}
        groups = [
            {
                "product_types": g.product_types,
                "quantity": g.bounds[0],
                "max_quantity": g.bounds[1],
                "distinct": g.distinct,
                "require": g.require,
                "exclude": g.exclude,
            }
            for g in c.groups
        ]
        args: dict[str, Any] = {"groups": groups, "objective": c.objective, "lang": case.lang}
        if c.budget is not None:
            args |= {"budget": c.budget.amount, "budget_approx": c.budget.approx}
        return {
            "tool_calls": [{"id": f"call_{len(users)}", "name": "recommend", "arguments": args}]
        }

    return reply


def test_a_real_model_path_prints_the_same_grader_figures(
    loopback: Callable[..., Any], tau_dir: Path, tmp_path: Path
) -> None:
    cases = load_shopping_cases(SYNTHETIC[0], need_constraints=True)
    chosen = [c for c in cases if c.category in ("clarify", "cheapest", "gift", "infeasible")][:8]
    server = loopback(_scripted_model(chosen))
    model = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key=SecretStr("sk-test"))
    report = run_shopping_trials(chosen, tau_dir / "db", model, tmp_path / "llm.jsonl")
    lines = report.lines()
    assert lines[0] == "model: openai:gpt-4o-mini"
    assert lines[-1].startswith(
        f"shopping: passed {len(chosen)}/{len(chosen)} (100.0%), violations 0"
    )
    assert any(line.startswith("tokens: ") and "model calls" in line for line in lines)
    assert all(r.get("tool_choice") == "auto" for r in server.requests if r.get("tools"))
    assert {t["function"]["name"] for t in server.requests[0]["tools"]} >= {"recommend"}
