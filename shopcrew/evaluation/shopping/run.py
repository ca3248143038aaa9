"""`shopcrew eval shopping`: play the shopping cases with the guide and grade the answers.

Each case is played as SHOPPING_FORMAT.md section 3 says: a new conversation, the shopper's
turns fed one by one whatever the replies were, tools run until a reply without a tool call.
The final proposal is the latest `recommend` result of the conversation; the answers are
written in section 7's shape and graded by our grader (`shopping_grader`). The agent's side
sees only `id`, `lang` and `turns`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph

from shopcrew.agents.shopping import RECOMMEND_TOOL, CatalogIndex, RecommendResult
from shopcrew.evaluation.cs.format import TranscriptMessage, TranscriptToolCall
from shopcrew.evaluation.cs.run import trial_path
from shopcrew.evaluation.harness import (
    CaseResult,
    TrialsResult,
    Usage,
    pass_hat_line,
    run_trials_sync,
)
from shopcrew.evaluation.labels import model_label
from shopcrew.evaluation.shopping.format import (
    Answer,
    AnswerLine,
    ShoppingCase,
    load_shopping_cases,
)
from shopcrew.evaluation.shopping.grader import (
    ShoppingGrade,
    ShoppingReport,
    format_shopping_report,
    grade_answer,
    load_items,
)
from shopcrew.evaluation.shopping.solve import CatalogItem, Solution, solve_case
from shopcrew.graphs.shopping import ShoppingState, build_shopping_guide
from shopcrew.models.factory import openai_model_name, resolve_model, seeded
from shopcrew.models.usage import UsageRecorder, UsageTotals, total
from shopcrew.tools.adapters import Adapters

__all__ = [
    "ShoppingTrialsReport",
    "model_label",
    "play_shopping_case",
    "run_shopping_trials",
    "to_answer",
]

logger = logging.getLogger(__name__)


def _message(message: BaseMessage) -> TranscriptMessage | None:
    if isinstance(message, HumanMessage):
        return TranscriptMessage(role="user", content=message.text)
    if isinstance(message, AIMessage):
        calls = [
            TranscriptToolCall(id=c["id"] or "", name=c["name"], arguments=c["args"])
            for c in message.tool_calls
        ]
        return TranscriptMessage(role="assistant", content=message.text, tool_calls=calls or None)
    if isinstance(message, ToolMessage):
        content = message.content if isinstance(message.content, str) else message.text
        return TranscriptMessage(role="tool", content=content, tool_call_id=message.tool_call_id)
    return None


def to_answer(case_id: str, messages: Sequence[BaseMessage]) -> Answer:
    """The answer line of a played conversation: the latest `recommend` result is the proposal."""
    proposal: RecommendResult | None = None
    for message in messages:
        if isinstance(message, ToolMessage) and message.name == RECOMMEND_TOOL:
            try:
                proposal = RecommendResult.model_validate_json(str(message.content))
            except ValueError:
                proposal = None
    lines = []
    stated = 0.0
    if proposal is not None and proposal.status == "ok":
        lines = [AnswerLine(item_id=i.item_id, quantity=i.quantity) for i in proposal.items]
        stated = proposal.total
    transcript = [m for m in (_message(x) for x in messages) if m is not None]
    return Answer(id=case_id, recommendation=lines, total=stated, messages=transcript)


def play_shopping_case(
    case: ShoppingCase, graph: Any, *, trial: int = 0, callbacks: Sequence[Any] = ()
) -> tuple[Answer, str | None]:
    """Play one case on a compiled guide (a thread of its own); the answer, and why it stopped."""
    config: RunnableConfig = {
        "configurable": {"thread_id": f"shopping-eval:{case.id}:{trial}"},
        "recursion_limit": 60,
        "callbacks": list(callbacks),
    }
    stopped: str | None = None
    for turn in case.turns:
        try:
            graph.invoke({"messages": [HumanMessage(content=turn)]}, config)
        except Exception as exc:
            # The harness is a worker loop over cases: one agent failure must not end the run.
            logger.exception("case %s: the guide failed", case.id)
            stopped = f"{type(exc).__name__}: {exc}"
            break
    messages = graph.get_state(config).values.get("messages", [])
    return to_answer(case.id, messages), stopped


@dataclass(frozen=True, slots=True)
class ShoppingTrialsReport:
    """What `run_shopping_trials` measured: every trial of every case, graded."""

    run: TrialsResult
    grades: tuple[ShoppingReport, ...]
    """One report per trial, cases in file order."""
    usage: UsageTotals
    model: str
    out_paths: tuple[Path, ...]

    def pooled(self) -> ShoppingReport:
        """Every trial's grades together."""
        return ShoppingReport(tuple(g for report in self.grades for g in report.grades))

    def lines(self) -> list[str]:
        """The printout: the grader's report, tokens, pass^k, the summary line last."""
        report = format_shopping_report(self.pooled(), model=self.model)
        usage = self.usage
        cost = "unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
        extra = [
            f"ERROR {r.case_id} (trial {r.trial}): {r.error}" for r in self.run.results if r.error
        ]
        extra.append(
            f"tokens: {usage.input_tokens} in, {usage.output_tokens} out over {usage.runs} "
            f"model calls, {usage.latency_s:.1f}s, cost {cost}"
        )
        if self.run.trials > 1:
            extra.append(pass_hat_line(self.run))
        return [*report[:-1], *extra, report[-1]]

    def figures(self) -> dict[str, Any]:
        """Headline figures for the result file."""
        grades = self.pooled().grades

        def rate(group: Sequence[ShoppingGrade]) -> dict[str, float | int]:
            passed = sum(g.passed for g in group)
            return {
                "passed": passed,
                "total": len(group),
                "rate": passed / len(group) if group else 0.0,
            }

        categories = sorted({g.category for g in grades})
        optimum = [g for g in grades if g.category in ("cheapest", "best_within_budget")]
        return {
            **rate(grades),
            "model": self.model,
            "violations": sum(g.violations for g in grades),
            "optimality_misses": sum(g.optimal_miss for g in grades),
            "optimum_cases": rate(optimum),
            "false_refusals": sum(g.false_refusal for g in grades),
            "by_category": {c: rate([g for g in grades if g.category == c]) for c in categories},
            "by_lang": {lang: rate([g for g in grades if g.lang == lang]) for lang in ("zh", "en")},
        }


def run_shopping_trials(
    cases: Sequence[ShoppingCase] | str | os.PathLike[str],
    db: str | os.PathLike[str],
    model: BaseChatModel | str,
    out: str | os.PathLike[str],
    *,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> ShoppingTrialsReport:
    """Play every case `trials` times through the harness, write the answers and grade them.

    Args:
        cases: The cases (with constraints), or a case file.
        db: A τ-bench retail store directory (the guide reads its catalog through the adapters;
            the grader reads its `products.json`).
        model: A chat model or a spec for `resolve_model`.
        out: Trial 0's answer file; later trials go beside it (`OUT.trialN.jsonl`).
        trials: Trials per case.
        seed: The run's seed.
        concurrency: Cases played at once.
        time_limit_s: Per case and trial.
        on_result: Called with each trial's result (progress).

    Raises:
        EvalFormatError: The case file is malformed or a case has no constraints.
        StoreFileError: The store cannot be loaded.
    """
    case_list = (
        load_shopping_cases(Path(cases), need_constraints=True)
        if isinstance(cases, str | os.PathLike)
        else list(cases)
    )
    adapters = Adapters.from_store_dir(db)
    players = _ShoppingPlayers(
        case_list,
        adapters=adapters,
        catalog=CatalogIndex.from_adapter(adapters.catalog),
        items=load_items(Path(db)),
        model=resolve_model(model),
    )
    run = run_trials_sync(
        list(players.by_id),
        players.play,
        trials=trials,
        seed=seed,
        concurrency=concurrency,
        time_limit_s=time_limit_s,
        on_result=on_result,
    )
    return players.report(run, Path(out), trials=trials)


@dataclass
class _ShoppingPlayers:
    """Plays and grades each (case, trial) with the shopping guide; keeps the answers."""

    cases: list[ShoppingCase]
    adapters: Adapters
    catalog: CatalogIndex
    items: dict[str, CatalogItem]
    model: BaseChatModel
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: dict[tuple[str, int], Answer] = field(default_factory=dict)
    runs: list[Any] = field(default_factory=list)
    by_id: dict[str, ShoppingCase] = field(init=False)
    solutions: dict[str, Solution] = field(init=False)
    shared: CompiledStateGraph[ShoppingState] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {case.id: case for case in self.cases}
        self.shared = build_shopping_guide(
            model=self.model, adapters=self.adapters, catalog=self.catalog
        )
        items = list(self.items.values())
        self.solutions = {
            c.id: solve_case(items, c.constraints) for c in self.cases if c.constraints
        }

    def play(self, case_id: str, trial: int, trial_seed: int) -> CaseResult:
        """One trial of one case (called by the harness, possibly from several threads)."""
        case = self.by_id[case_id]
        recorder = UsageRecorder()
        graph = self.shared
        if openai_model_name(self.model) is not None:
            graph = build_shopping_guide(
                model=seeded(self.model, trial_seed), adapters=self.adapters, catalog=self.catalog
            )
        answer, stopped = play_shopping_case(case, graph, trial=trial, callbacks=[recorder])
        grade = grade_answer(case, answer, self.items, solution=self.solutions.get(case_id))
        with self.lock:
            self.answers[case_id, trial] = answer
            self.runs.extend(recorder.runs)
        detail = {
            "lang": grade.lang,
            "category": grade.category,
            "violations": grade.violations,
            "reasons": list(grade.reasons),
            "grade": grade,
        }
        usage = Usage.from_totals(recorder.totals())
        passed = grade.passed and stopped is None
        return CaseResult(case_id, trial, trial_seed, passed, 0.0, stopped, usage, detail)

    def report(self, run: TrialsResult, out: Path, *, trials: int) -> ShoppingTrialsReport:
        """Write each trial's answers (case order) and grade them."""
        out_paths = tuple(trial_path(out, t) for t in range(trials))
        reports = []
        for trial, path in enumerate(out_paths):
            path.parent.mkdir(parents=True, exist_ok=True)
            with self.lock, path.open("w", encoding="utf-8") as sink:
                for case in self.cases:
                    if (case.id, trial) in self.answers:
                        sink.write(self.answers[case.id, trial].to_json_line() + "\n")
            grades = (_grade_of(self.by_id[r.case_id], r) for r in run.for_trial(trial))
            reports.append(ShoppingReport(tuple(grades)))
        label = model_label(self.model)
        return ShoppingTrialsReport(run, tuple(reports), total(self.runs), label, out_paths)


def _grade_of(case: ShoppingCase, result: CaseResult) -> ShoppingGrade:
    grade = result.detail.get("grade")
    if isinstance(grade, ShoppingGrade):
        return grade
    return ShoppingGrade(case.id, case.lang, case.category or "?", False, (str(result.error),))
