"""The evals through the harness: same figures as their graders, trials, usage per case."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from shopcrew.evaluation.cs.format import CsCase, load_cases, read_transcripts
from shopcrew.evaluation.cs.grader import StoreOwners, grade_cases
from shopcrew.evaluation.cs.run import run_cs_trials, trial_path
from shopcrew.evaluation.harness import derive_seed
from shopcrew.evaluation.listings import grade_listings, run_listings_eval
from shopcrew.evaluation.markets import grade_markets, run_markets_eval, score_market
from shopcrew.evaluation.tau.replay import load_expected, load_tasks, run_replay
from shopcrew.models.scripted import ScriptedChatModel
from shopcrew.models.usage import price_of
from shopcrew.tools.records.listings import load_listings
from shopcrew.tools.records.markets import iter_markets
from shopcrew.tools.reference.store import RetailStore

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = Path(os.environ.get("SHOPCREW_SHARED", ROOT.parent / "shared")) / "eval"
HELDOUT = Path(__file__).resolve().parent / "cs" / "data" / "cs_heldout.jsonl"


def test_cs_harness_figures_agree_with_the_grader_on_the_written_transcripts(
    tau_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cs.jsonl"
    report = run_cs_trials(HELDOUT, tau_dir / "db", None, "rules", out, concurrency=2)
    cases = load_cases(HELDOUT)
    graded = grade_cases(cases, read_transcripts(out), StoreOwners.from_db(tau_dir / "db"))
    assert report.grades[0] == graded
    assert [r.passed for r in report.run.results] == [g.passed for g in graded.grades]
    figures = report.figures()
    assert figures["passed"] == sum(g.passed for g in graded.grades)
    assert figures["violations"] == graded.violations == 0
    assert report.run.pass_hat() == {1: figures["passed"] / len(cases)}


def _polite(seen: list[int]) -> ScriptedChatModel:
    """Answers every turn with one text reply, priced as gpt-4o-mini, 50 in / 10 out."""
    lock = threading.Lock()

    def reply(messages: list[BaseMessage]) -> AIMessage:
        with lock:
            seen.append(len(messages))
        return AIMessage(
            content="Could you tell me your email, please?",
            usage_metadata={"input_tokens": 50, "output_tokens": 10, "total_tokens": 60},
            response_metadata={"model_name": "gpt-4o-mini"},
        )

    return ScriptedChatModel(reply=reply)


def test_cs_trials_count_tokens_and_cost_per_case(tau_dir: Path, tmp_path: Path) -> None:
    cases = [
        CsCase(id="one", lang="en", turns=["Hi, where is my order?"]),
        CsCase(id="two", lang="zh", turns=["你好", "我的订单呢?"]),
    ]
    seen: list[int] = []
    out = tmp_path / "cs.jsonl"
    report = run_cs_trials(cases, tau_dir / "db", None, _polite(seen), out, trials=2, seed=4)
    assert len(seen) == 6  # (1 + 2 turns) x 2 trials, one model call per turn
    price = price_of("gpt-4o-mini", input_tokens=50, output_tokens=10)
    assert price is not None
    by_case = {c.case_id: c for c in report.run.cases()}
    assert by_case["one"].usage.input_tokens == 100
    assert by_case["two"].usage.output_tokens == 40
    assert by_case["two"].usage.cost_usd == pytest.approx(4 * float(price))
    assert report.usage.runs == 6
    assert [r.seed for r in report.run.results] == [
        derive_seed(4, "one", 0),
        derive_seed(4, "one", 1),
        derive_seed(4, "two", 0),
        derive_seed(4, "two", 1),
    ]
    assert report.run.pass_hat() == {1: 1.0, 2: 1.0}
    assert trial_path(out, 1) == tmp_path / "cs.trial1.jsonl"
    for path in report.out_paths:
        assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == [
            "one",
            "two",
        ]
    lines = report.lines()
    # Cases without `expect` are played and checked for form, never counted as passes.
    assert lines[0] == "model: scripted"
    assert lines[-2] == "pass^k: no graded cases"
    assert lines[-1] == "cs: passed 0/0 graded (0.0%), 4 not graded, violations 0, zh 0/0, en 0/0"


def test_cs_trials_that_vary_give_tau_bench_pass_hat(tau_dir: Path, tmp_path: Path) -> None:
    # One model call per one-turn conversation; every third call fails.
    calls: list[int] = []

    def reply(messages: list[BaseMessage]) -> AIMessage:
        calls.append(1)
        if len(calls) % 3 == 0:
            raise RuntimeError("the model endpoint went away")
        return AIMessage(content="Hello! How can I help?")

    cases = [CsCase(id=f"c{i}", lang="en", turns=["hello"]) for i in range(2)]
    model = ScriptedChatModel(reply=reply)
    report = run_cs_trials(cases, tau_dir / "db", None, model, tmp_path / "o.jsonl", trials=3)
    # One at a time, trial by trial: c0 t0, c1 t0, c0 t1, c1 t1, c0 t2, c1 t2; 3rd, 6th fail.
    assert [(r.case_id, r.trial, r.passed) for r in report.run.results] == [
        ("c0", 0, True),
        ("c0", 1, False),
        ("c0", 2, True),
        ("c1", 0, True),
        ("c1", 1, True),
        ("c1", 2, False),
    ]
    failed = [r for r in report.run.results if not r.passed]
    assert all(r.error == "RuntimeError: the model endpoint went away" for r in failed)
    # τ-bench: mean over cases of C(c, k) / C(3, k), c = 2 for both.
    assert report.run.pass_hat() == pytest.approx({1: 2 / 3, 2: 1 / 3, 3: 0.0})
    assert "STOPPED trial 1: c0: RuntimeError: the model endpoint went away" in report.lines()
    figures = report.figures()
    assert (figures["passed"], figures["total"], figures["not_graded"]) == (0, 0, 6)


def test_listings_harness_agrees_with_the_grader(tmp_path: Path) -> None:
    path = EVAL_DIR / "listings_dev.jsonl"
    report = run_listings_eval(path, tmp_path / "l.jsonl", trials=2, concurrency=2)
    answers = [json.loads(line) for line in (tmp_path / "l.jsonl").read_text().splitlines()]
    truth = {x.id: x.expect_defects or [] for x in load_listings(path)}
    grade = grade_listings(truth, {a["id"]: a["defects"] for a in answers})
    assert report.grade == grade
    assert report.run is not None
    assert sum(c.successes for c in report.run.cases()) == 2 * grade.exact
    assert report.figures()["trials_agree"] is True
    assert report.lines()[-2] == "trials agree on every case (2 trials, deterministic)"
    assert report.lines()[-1] == grade.summary()


@pytest.mark.slow  # the whole dev set
def test_markets_harness_agrees_with_the_grader(tmp_path: Path) -> None:
    path = EVAL_DIR / "markets_dev.jsonl"
    out = tmp_path / "m.jsonl"
    report = run_markets_eval(path, out, concurrency=2)
    answers = {
        row["id"]: row["allocation"] for row in map(json.loads, out.read_text().splitlines())
    }
    regraded = grade_markets(
        [score_market(m, answers.get(m.id)) for m in iter_markets(path) if m.truth is not None]
    )
    assert report.mean_regret == regraded.mean_regret
    assert report.lines()[-1] == regraded.lines()[-1]
    assert report.run is not None
    passed = sum(not s.violations and s.regret <= 0.05 for s in regraded.scores)
    assert report.run.passed == passed == report.figures()["passed"]


def test_markets_planner_failure_is_a_missing_answer(tmp_path: Path) -> None:
    path = EVAL_DIR / "markets_dev.jsonl"
    first = next(iter(iter_markets(path)))

    def planner(market: object) -> dict[str, float]:
        raise ValueError("no curve fits")

    out = tmp_path / "m.jsonl"
    report = run_markets_eval(path, out, planner=planner)
    assert out.read_text() == ""
    assert report.scores[0].market_id == first.id
    assert report.scores[0].regret == 1.0
    assert f"ERROR {first.id}: ValueError: no curve fits" in report.lines()


def test_replay_harness_matches_the_oracle_and_trials_agree(tau_dir: Path) -> None:
    tasks = load_tasks(tau_dir / "tasks_coverage.json")
    expected = load_expected(tau_dir / "expected_coverage.jsonl")
    replayed = run_replay(
        RetailStore.load(tau_dir / "db"), tasks, expected=expected, trials=2, concurrency=2
    )
    assert replayed.mismatches == ()
    assert [r.to_json_line() for r in replayed.results] == [
        expected[t.id].to_json_line() for t in tasks
    ]
    assert replayed.lines()[-2:] == [
        "trials agree on every case (2 trials, deterministic)",
        f"tau-replay: {len(tasks)}/{len(tasks)} tasks match",
    ]
    assert replayed.run.pass_hat() == {1: 1.0, 2: 1.0}


class _Completions(BaseHTTPRequestHandler):
    """A loopback OpenAI-compatible endpoint: one text answer, 11 prompt / 7 completion tokens."""

    bodies: list[dict[str, Any]]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.bodies.append(body)
        payload = {
            "id": "chatcmpl-loop",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Which order, please?"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    bodies: list[dict[str, Any]] = []
    handler = type("Handler", (_Completions,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}/v1", bodies
    server.shutdown()
    server.server_close()


def test_an_openai_model_gets_each_trials_seed_and_its_usage_is_counted(
    tau_dir: Path, tmp_path: Path, endpoint: tuple[str, list[dict[str, Any]]]
) -> None:
    base_url, bodies = endpoint
    model = ChatOpenAI(model="gpt-4o-mini", base_url=base_url, api_key=SecretStr("test"))
    cases = [CsCase(id="ask", lang="en", turns=["Where is my parcel?", "Thanks"])]
    report = run_cs_trials(cases, tau_dir / "db", None, model, tmp_path / "o.jsonl", trials=2)
    assert [body.get("seed") for body in bodies] == [
        derive_seed(0, "ask", 0),
        derive_seed(0, "ask", 0),
        derive_seed(0, "ask", 1),
        derive_seed(0, "ask", 1),
    ]
    price = price_of("gpt-4o-mini", input_tokens=11, output_tokens=7)
    assert price is not None
    for result in report.run.results:
        assert (result.usage.runs, result.usage.input_tokens, result.usage.output_tokens) == (
            2,
            22,
            14,
        )
        assert result.usage.cost_usd == pytest.approx(2 * float(price))
    assert report.lines()[-3].startswith("tokens: 44 in, 28 out over 4 model calls")
