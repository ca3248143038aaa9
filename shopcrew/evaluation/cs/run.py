"""`shopcrew eval cs`: play scripted customer conversations with the CS agent and grade them.

Each case is played as CS_FORMAT.md section 4 says: a fresh copy of the store, a new thread,
the customer's turns fed one by one, the agent acting with its tools until it replies without
a tool call, and the conversation ending at a transfer to a person. The transcripts are written
in section 5's format and graded by `shopcrew.evaluation.cs.grader`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig

from shopcrew.agents.policy import CsSettings
from shopcrew.evaluation.cs.format import (
    CsCase,
    CsTranscript,
    TranscriptMessage,
    TranscriptToolCall,
    load_cases,
)
from shopcrew.evaluation.cs.grader import (
    CaseGrade,
    CsReport,
    StoreOwners,
    format_report,
    grade_case,
)
from shopcrew.evaluation.harness import (
    CaseResult,
    TrialsResult,
    Usage,
    pass_hat_line,
    run_trials_sync,
)
from shopcrew.evaluation.labels import model_label
from shopcrew.graphs.cs import build_cs_agent
from shopcrew.models.factory import resolve_model, seeded
from shopcrew.models.usage import RunUsage, UsageRecorder, UsageTotals, total
from shopcrew.tools.adapters import REFERENCE_KB, Adapters
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import TRANSFER_TOOL

__all__ = [
    "CsEvalReport",
    "CsTrialsReport",
    "play_case",
    "run_cs_eval",
    "run_cs_trials",
    "to_transcript",
    "trial_path",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_STEPS: Final = 20
"""Model calls allowed per customer turn (CS_FORMAT section 4 asks for at least 20)."""


@dataclass(frozen=True, slots=True)
class CsEvalReport:
    """What a run of `run_cs_eval` measured."""

    grades: CsReport
    """The grader's verdicts (cases without `expect` pass when their transcript is well formed)."""
    usage: UsageTotals
    """Token use, latency and cost over every model call."""
    stopped: tuple[str, ...] = field(default_factory=tuple)
    """Cases the harness stopped early (an error of the agent), with the reason."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Lines printed just before the summary line (pass^k when there are several trials)."""
    model: str = ""
    """The model that actually ran (`model_label`), printed first."""

    @property
    def passed(self) -> int:
        """Graded cases that passed (cases without ``expect`` are never counted)."""
        return sum(grade.passed for grade in self.grades.grades if grade.graded)

    @property
    def graded(self) -> int:
        """Cases with an ``expect`` to grade against."""
        return sum(grade.graded for grade in self.grades.grades)

    @property
    def not_graded(self) -> int:
        """Cases without ``expect``: played and checked for form only."""
        return len(self.grades.grades) - self.graded

    def lines(self) -> list[str]:
        """The printout: the model, per category and language, failures, stops, tokens, summary."""
        usage = self.usage
        cost = "unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
        report = format_report(self.grades)
        head = [f"model: {self.model}"] if self.model else []
        extra = [f"STOPPED {reason}" for reason in self.stopped]
        extra.append(
            f"tokens: {usage.input_tokens} in, {usage.output_tokens} out over {usage.runs} "
            f"model calls, {usage.latency_s:.1f}s, cost {cost}"
        )
        extra.extend(self.notes)
        return [*head, *report[:-1], *extra, report[-1]]


def to_transcript(
    case_id: str, messages: Sequence[BaseMessage], *, store_sha256: str
) -> CsTranscript:
    """Write a conversation in CS_FORMAT section 5's transcript format."""
    out: list[TranscriptMessage] = []
    escalated = False
    for message in messages:
        if isinstance(message, HumanMessage):
            out.append(TranscriptMessage(role="user", content=message.text))
        elif isinstance(message, AIMessage):
            calls = [
                TranscriptToolCall(id=call["id"] or "", name=call["name"], arguments=call["args"])
                for call in message.tool_calls
            ]
            escalated = escalated or any(call.name == TRANSFER_TOOL for call in calls)
            out.append(
                TranscriptMessage(role="assistant", content=message.text, tool_calls=calls or None)
            )
        elif isinstance(message, ToolMessage):
            content = message.content if isinstance(message.content, str) else message.text
            out.append(
                TranscriptMessage(role="tool", content=content, tool_call_id=message.tool_call_id)
            )
    return CsTranscript(id=case_id, messages=out, escalated=escalated, final_db_sha256=store_sha256)


def _transferred(messages: Sequence[BaseMessage]) -> bool:
    return any(
        isinstance(m, AIMessage) and any(c["name"] == TRANSFER_TOOL for c in m.tool_calls)
        for m in messages
    )


def play_case(
    case: CsCase,
    *,
    store: RetailStore,
    kb: JsonKnowledgeBaseAdapter,
    model: BaseChatModel,
    max_steps_per_turn: int = DEFAULT_MAX_STEPS,
    callbacks: Sequence[Any] = (),
) -> tuple[CsTranscript, str | None]:
    """Play one case on `store` (changed in place) and return its transcript.

    Returns:
        The transcript and, when the agent failed with an error, why the case was stopped.
    """
    graph = build_cs_agent(
        model=model,
        adapters=Adapters.from_store(store, kb=kb),
        merchant_id=store.merchant_id,
        policy=CsSettings(interrupt_on_escalation=False, max_steps_per_turn=max_steps_per_turn),
    )
    config: RunnableConfig = {
        "configurable": {"thread_id": f"cs-eval:{case.id}"},
        "recursion_limit": 4 * max_steps_per_turn + 10,
        "callbacks": list(callbacks),
    }
    stopped: str | None = None
    for turn in case.turns:
        try:
            graph.invoke({"messages": [HumanMessage(content=turn)]}, config)
        except Exception as exc:
            # The harness is a worker loop over cases: one agent failure must not end the run.
            logger.exception("case %s: the agent failed", case.id)
            stopped = f"{case.id}: {type(exc).__name__}: {exc}"
            break
        if _transferred(graph.get_state(config).values["messages"]):
            break
    messages = graph.get_state(config).values.get("messages", [])
    return to_transcript(case.id, messages, store_sha256=store.store_sha256()), stopped


@dataclass(frozen=True, slots=True)
class CsTrialsReport:
    """What `run_cs_trials` measured: every trial of every case, graded."""

    run: TrialsResult
    grades: tuple[CsReport, ...]
    """One report per trial, cases in file order (a timed-out trial fails with its error)."""
    usage: UsageTotals
    """Token use, latency and cost over every model call of every trial."""
    stopped: tuple[str, ...]
    out_paths: tuple[Path, ...]
    """The transcript file of each trial: `out` for trial 0, `OUT.trialN.jsonl` after."""
    model: str = ""
    """The model that actually ran (`model_label` of the resolved model)."""

    def pooled(self) -> CsReport:
        """Every trial's grades together (case ids marked with the trial when k > 1)."""
        if len(self.grades) == 1:
            return self.grades[0]
        return CsReport(
            tuple(
                replace(grade, case_id=f"{grade.case_id} (trial {trial})")
                for trial, report in enumerate(self.grades)
                for grade in report.grades
            )
        )

    def report(self) -> CsEvalReport:
        """The printed report: pooled over the trials, pass^k before the summary line."""
        notes: tuple[str, ...] = ()
        if self.run.trials > 1:
            graded = {g.case_id for g in self.grades[0].grades if g.graded}
            # pass^k over graded cases only: an ungraded case's trials say nothing of passing.
            run = replace(
                self.run,
                case_ids=tuple(c for c in self.run.case_ids if c in graded),
                results=tuple(r for r in self.run.results if r.case_id in graded),
            )
            notes = (pass_hat_line(run) if run.case_ids else "pass^k: no graded cases",)
        return CsEvalReport(self.pooled(), self.usage, self.stopped, notes=notes, model=self.model)

    def lines(self) -> list[str]:
        """The printout (`CsEvalReport.lines`; with one trial, exactly the old printout)."""
        return self.report().lines()

    def figures(self) -> dict[str, Any]:
        """Headline figures for the result file.

        Pass rates overall, per category and per language (over all trials), over graded
        cases only (``total``); ``not_graded`` counts the cases without ``expect``. The model
        that ran is named.
        """
        grades = self.pooled().grades

        def rate(group: Sequence[CaseGrade]) -> dict[str, float | int]:
            graded = [g for g in group if g.graded]
            passed = sum(g.passed for g in graded)
            return {
                "passed": passed,
                "total": len(graded),
                "not_graded": len(group) - len(graded),
                "rate": _share(passed, len(graded)),
            }

        by_category: dict[str, list[CaseGrade]] = {}
        by_lang: dict[str, list[CaseGrade]] = {"zh": [], "en": []}
        for grade in grades:
            by_category.setdefault(grade.category, []).append(grade)
            by_lang.setdefault(grade.lang, []).append(grade)
        return {
            "model": self.model,
            **rate(grades),
            "violations": sum(g.violations for g in grades),
            "stopped": len(self.stopped),
            "by_category": {name: rate(group) for name, group in sorted(by_category.items())},
            "by_lang": {name: rate(group) for name, group in by_lang.items()},
        }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def trial_path(out: Path, trial: int) -> Path:
    """Transcript file of a trial: `out` itself for trial 0, `OUT.trialN.jsonl` after."""
    if trial == 0:
        return out
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}.trial{trial}{out.suffix or '.jsonl'}")


def run_cs_trials(
    cases: Sequence[CsCase] | str | os.PathLike[str],
    db: str | os.PathLike[str],
    kb: str | os.PathLike[str] | None,
    model: BaseChatModel | str,
    out: str | os.PathLike[str],
    *,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    max_steps_per_turn: int = DEFAULT_MAX_STEPS,
    on_result: Callable[[CaseResult], None] | None = None,
) -> CsTrialsReport:
    """Play every case `trials` times through the harness, write transcripts and grade them.

    Each trial is a fresh copy of the store and a new thread; an OpenAI-compatible model gets
    the trial's seed (the rules model is deterministic: its trials agree). A case that runs
    past `time_limit_s` fails with the timeout and has no transcript line; one the agent
    stopped with an error fails too, its partial transcript written.

    Args:
        cases: The cases, or a case file (CS_FORMAT section 3).
        db: A τ-bench retail store directory (never changed).
        kb: The knowledge base (`cs_kb.jsonl` format); the reference one when None.
        model: A chat model or a spec for `resolve_model`.
        out: Trial 0's transcript file (section 5, case order); later trials go beside it.
        trials: Trials per case.
        seed: The run's seed (each trial's is derived from it, the case id and the trial).
        concurrency: Cases played at once (each in a thread).
        time_limit_s: Per case and trial; None for no limit.
        max_steps_per_turn: Model calls allowed per customer turn.
        on_result: Called with each trial's result as it finishes (progress).

    Raises:
        EvalFormatError: The case file is malformed (the error names the line and field).
        StoreFileError: The store or the knowledge base cannot be loaded.
    """
    case_list = load_cases(Path(cases)) if isinstance(cases, str | os.PathLike) else list(cases)
    players = _CsPlayers(
        case_list,
        base=RetailStore.load(db),
        articles=_articles(kb),
        model=resolve_model(model),
        owners=StoreOwners.from_db(Path(db)),
        max_steps_per_turn=max_steps_per_turn,
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


def _articles(kb: str | os.PathLike[str] | None) -> JsonKnowledgeBaseAdapter:
    """The knowledge base of `kb`, else the reference one (or none, when it is not shipped)."""
    kb_path = Path(kb) if kb is not None else REFERENCE_KB
    if kb is not None or kb_path.is_file():
        return JsonKnowledgeBaseAdapter.from_file(kb_path)
    return JsonKnowledgeBaseAdapter()


@dataclass
class _CsPlayers:
    """Plays and grades each (case, trial) on a fresh fork of the store; keeps the transcripts."""

    cases: list[CsCase]
    base: RetailStore
    articles: JsonKnowledgeBaseAdapter
    model: BaseChatModel
    owners: StoreOwners
    max_steps_per_turn: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    transcripts: dict[tuple[str, int], CsTranscript] = field(default_factory=dict)
    model_runs: dict[tuple[str, int], list[RunUsage]] = field(default_factory=dict)
    by_id: dict[str, CsCase] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {case.id: case for case in self.cases}

    def play(self, case_id: str, trial: int, trial_seed: int) -> CaseResult:
        """One trial of one case (called by the harness, possibly from several threads)."""
        case = self.by_id[case_id]
        recorder = UsageRecorder()
        transcript, stop = play_case(
            case,
            store=self.base.fork(),
            kb=self.articles,
            model=seeded(self.model, trial_seed),
            max_steps_per_turn=self.max_steps_per_turn,
            callbacks=[recorder],
        )
        grade = grade_case(case, transcript, self.owners)
        with self.lock:
            self.transcripts[case_id, trial] = transcript
            self.model_runs[case_id, trial] = list(recorder.runs)
        logger.info(
            "case %s trial %d played (%d messages)", case_id, trial, len(transcript.messages)
        )
        error = None if stop is None else stop.removeprefix(f"{case_id}: ")
        detail = {
            "lang": grade.lang,
            "category": grade.category,
            "graded": grade.graded,
            "violations": grade.violations,
            "reasons": [*grade.reasons, *([] if error is None else [f"stopped: {error}"])],
        }
        usage = Usage.from_totals(recorder.totals())
        # An agent error fails the trial, whatever its partial transcript would grade as.
        passed = grade.passed and error is None
        return CaseResult(case_id, trial, trial_seed, passed, 0.0, error, usage, detail)

    def report(self, run: TrialsResult, out: Path, *, trials: int) -> CsTrialsReport:
        """Write each trial's transcripts (case order, graded cases only) and grade them."""
        with self.lock:
            # A timed-out trial's thread may still finish later; only graded results count.
            played = dict(self.transcripts)
            runs = [usage for found in self.model_runs.values() for usage in found]
        graded = {(r.case_id, r.trial) for r in run.results if r.detail}
        out_paths = tuple(trial_path(out, trial) for trial in range(trials))
        reports: list[CsReport] = []
        stopped: list[str] = []
        for trial, path in enumerate(out_paths):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as sink:
                for case in self.cases:
                    if (case.id, trial) in graded:
                        dumped = played[case.id, trial].model_dump(mode="json", exclude_none=True)
                        sink.write(json.dumps(dumped, ensure_ascii=False) + "\n")
            results = run.for_trial(trial)
            reports.append(CsReport(tuple(_grade_of(self.by_id[r.case_id], r) for r in results)))
            prefix = "" if trials == 1 else f"trial {trial}: "
            stopped.extend(f"{prefix}{r.case_id}: {r.error}" for r in results if r.error)
        return CsTrialsReport(
            run, tuple(reports), total(runs), tuple(stopped), out_paths, model_label(self.model)
        )


def _grade_of(case: CsCase, result: CaseResult) -> CaseGrade:
    detail = result.detail
    if not detail:
        return CaseGrade(
            case.id,
            case.lang,
            case.category or "?",
            False,
            (str(result.error),),
            graded=case.expect is not None,
        )
    return CaseGrade(
        case.id,
        str(detail["lang"]),
        str(detail["category"]),
        result.passed,
        tuple(detail["reasons"]),
        int(detail["violations"]),
        graded=case.expect is not None,
    )


def run_cs_eval(
    cases: Sequence[CsCase] | str | os.PathLike[str],
    db: str | os.PathLike[str],
    kb: str | os.PathLike[str] | None,
    model: BaseChatModel | str,
    out: str | os.PathLike[str],
    *,
    max_steps_per_turn: int = DEFAULT_MAX_STEPS,
) -> CsEvalReport:
    """Play every case once, write the transcripts to `out` and grade them.

    One trial of `run_cs_trials`, one case at a time.

    Args:
        cases: The cases, or a case file (CS_FORMAT section 3).
        db: A τ-bench retail store directory; every case starts from a fresh copy of it
            and the files are never changed.
        kb: The knowledge base (`cs_kb.jsonl` format); the reference one when None.
        model: A chat model or a spec for `resolve_model` (`"rules"`, `"openai:<name>"`).
        out: The transcript file, one line per case in case order (overwritten).
        max_steps_per_turn: Model calls allowed per customer turn.

    Returns:
        The grades, token use and the cases stopped early.

    Raises:
        EvalFormatError: The case file is malformed (the error names the line and field).
        StoreFileError: The store or the knowledge base cannot be loaded.
    """
    return run_cs_trials(cases, db, kb, model, out, max_steps_per_turn=max_steps_per_turn).report()
