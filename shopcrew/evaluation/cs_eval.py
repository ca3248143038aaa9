"""`shopcrew eval cs`: play scripted customer conversations with the CS agent and grade them.

Each case is played as CS_FORMAT.md section 4 says: a fresh copy of the store, a new thread,
the customer's turns fed one by one, the agent acting with its tools until it replies without
a tool call, and the conversation ending at a transfer to a person. The transcripts are written
in section 5's format and graded by `shopcrew.evaluation.cs_grader`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig

from shopcrew.agents.cs_agent import CsPolicy
from shopcrew.evaluation.cs_format import (
    CsCase,
    CsTranscript,
    TranscriptMessage,
    TranscriptToolCall,
    load_cases,
    read_transcripts,
)
from shopcrew.evaluation.cs_grader import CsReport, StoreOwners, format_report, grade_cases
from shopcrew.graphs.cs_graph import build_cs_agent
from shopcrew.models.factory import resolve_model
from shopcrew.models.usage import UsageRecorder, UsageTotals, total
from shopcrew.tools.adapters import REFERENCE_KB, Adapters
from shopcrew.tools.json_kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.json_store import RetailStore
from shopcrew.tools.retail_tools import TRANSFER_TOOL

__all__ = ["CsEvalReport", "play_case", "run_cs_eval", "to_transcript"]

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

    @property
    def passed(self) -> int:
        """Cases that passed."""
        return sum(grade.passed for grade in self.grades.grades)

    def lines(self) -> list[str]:
        """The printout: per category and language, failures, stops, tokens, the summary line."""
        usage = self.usage
        cost = "unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
        report = format_report(self.grades)
        extra = [f"STOPPED {reason}" for reason in self.stopped]
        extra.append(
            f"tokens: {usage.input_tokens} in, {usage.output_tokens} out over {usage.runs} "
            f"model calls, {usage.latency_s:.1f}s, cost {cost}"
        )
        return [*report[:-1], *extra, report[-1]]


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
        policy=CsPolicy(interrupt_on_escalation=False, max_steps_per_turn=max_steps_per_turn),
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


def run_cs_eval(
    cases: Sequence[CsCase] | str | os.PathLike[str],
    db: str | os.PathLike[str],
    kb: str | os.PathLike[str] | None,
    model: BaseChatModel | str,
    out: str | os.PathLike[str],
    *,
    max_steps_per_turn: int = DEFAULT_MAX_STEPS,
) -> CsEvalReport:
    """Play every case, write the transcripts to `out` and grade them.

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
    case_list = load_cases(Path(cases)) if isinstance(cases, str | os.PathLike) else list(cases)
    base = RetailStore.load(db)
    kb_path = Path(kb) if kb is not None else REFERENCE_KB
    articles = (
        JsonKnowledgeBaseAdapter.from_file(kb_path)
        if kb is not None or kb_path.is_file()
        else JsonKnowledgeBaseAdapter()
    )
    chat_model = resolve_model(model)
    recorder = UsageRecorder()
    stopped: list[str] = []
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as sink:
        for case in case_list:
            transcript, stop = play_case(
                case,
                store=base.fork(),
                kb=articles,
                model=chat_model,
                max_steps_per_turn=max_steps_per_turn,
                callbacks=[recorder],
            )
            if stop is not None:
                stopped.append(stop)
            line = json.dumps(
                transcript.model_dump(mode="json", exclude_none=True), ensure_ascii=False
            )
            sink.write(line + "\n")
            logger.info("case %s played (%d messages)", case.id, len(transcript.messages))
    grades = grade_cases(case_list, read_transcripts(out_path), StoreOwners.from_db(Path(db)))
    return CsEvalReport(grades=grades, usage=total(recorder.runs), stopped=tuple(stopped))
