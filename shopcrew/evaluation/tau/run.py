"""`shopcrew eval tau`: τ-bench tasks played as whole conversations with a simulated customer.

Each trial of a task starts from a fresh copy of the store. The simulated customer (offline
`RuleCustomer`, or `LlmCustomer` with a model) talks to the CS agent (`build_cs_agent`) until
it ends the conversation, the agent transfers to a person, or the turn limit is reached. The
trial passes when the final store hash equals the hash the task's ground-truth actions give
(`replay_task`) and the agent said each of the task's outputs, as τ-bench grades its retail
tasks; pass^k over trials comes from the eval harness (`run_trials`). A failed trial carries
its reason (`TAU_REASONS`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Final

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from pydantic import JsonValue

from shopcrew.agents.policy import CsSettings
from shopcrew.evaluation.harness import CaseResult, TrialsResult, Usage, run_trials
from shopcrew.evaluation.labels import model_label
from shopcrew.evaluation.tau.customer import (
    OFFLINE_KNOWS,
    LlmCustomer,
    RuleCustomer,
    SimulatedCustomer,
)
from shopcrew.evaluation.tau.goal import derive_goal
from shopcrew.evaluation.tau.replay import TauTask, load_tasks, replay_task
from shopcrew.graphs.cs import build_cs_agent, turn_reply
from shopcrew.models.factory import resolve_model
from shopcrew.models.rules import RulesChatModel
from shopcrew.models.usage import UsageRecorder
from shopcrew.tools.adapters import REFERENCE_KB, Adapters
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS, TRANSFER_TOOL

__all__ = [
    "DEFAULT_MAX_TURNS",
    "OFFLINE_CUSTOMER",
    "TAU_REASONS",
    "TaskOutcome",
    "TauReport",
    "arun_tau_eval",
    "missing_outputs",
    "play_task",
    "run_tau_eval",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_TURNS: Final = 30
"""Customer messages per conversation (τ-bench's default step budget is similar)."""
OFFLINE_CUSTOMER: Final = "offline"
"""The `--user-model` value of the offline simulated customer (also: none, ``rules``)."""
TAU_REASONS: Final = (
    "passed",
    "agent_transferred",
    "agent_refused",
    "wrong_proposal",
    "repeated_question",
    "unanswerable",
    "identity_not_found",
    "write_failed",
    "turn_limit",
    "wrong_final_state",
    "missing_output",
    "agent_error",
)
"""Why a trial ended as it did. ``wrong_final_state``: the customer thought its goal was
reached (or an LLM customer stopped) but the store differs from the ground truth's;
``missing_output``: the store is right but the agent never said one of the task's outputs."""


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """One played conversation and its grade."""

    task_id: str
    passed: bool
    reason: str
    """One of `TAU_REASONS`."""
    final_sha256: str
    expected_sha256: str
    transcript: tuple[Mapping[str, JsonValue], ...]
    """Messages: ``{"role": "customer" | "agent" | "tool", "content", ...}``."""
    note: str = ""
    """The agent's reply the customer could not get past, or the agent's error."""
    writes: tuple[str, ...] = ()
    """Successful write tool calls, in order."""
    missing_outputs: tuple[str, ...] = ()
    """The task's outputs the agent never said."""

    @property
    def customer_turns(self) -> int:
        """Messages the customer wrote."""
        return sum(1 for message in self.transcript if message.get("role") == "customer")

    def detail(self) -> dict[str, JsonValue]:
        """What the result file keeps per trial."""
        return {
            "reason": self.reason,
            "note": self.note[:500],
            "customer_turns": self.customer_turns,
            "writes": list(self.writes),
            "missing_outputs": list(self.missing_outputs),
            "final_db_sha256": self.final_sha256,
            "expected_db_sha256": self.expected_sha256,
        }


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.content, list) else str(message.content)


def _transcript(messages: Sequence[BaseMessage]) -> list[dict[str, JsonValue]]:
    out: list[dict[str, JsonValue]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            out.append({"role": "customer", "content": _text(message)})
        elif isinstance(message, AIMessage):
            entry: dict[str, JsonValue] = {"role": "agent", "content": _text(message)}
            if message.tool_calls:
                entry["tool_calls"] = [
                    {"name": call["name"], "arguments": dict(call["args"])}
                    for call in message.tool_calls
                ]
            out.append(entry)
        elif isinstance(message, ToolMessage):
            out.append({"role": "tool", "name": message.name or "", "content": _text(message)})
    return out


def _writes(messages: Sequence[BaseMessage]) -> tuple[str, ...]:
    results = {m.tool_call_id: _text(m) for m in messages if isinstance(m, ToolMessage)}
    done = []
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                result = results.get(call["id"] or "", "Error:")
                if call["name"] in RETAIL_WRITE_TOOLS and not result.startswith("Error"):
                    done.append(call["name"])
    return tuple(done)


def missing_outputs(outputs: Sequence[str], messages: Sequence[BaseMessage]) -> tuple[str, ...]:
    """The outputs no agent reply contains, as τ-bench checks them.

    Case-insensitive, with commas removed from the agent's text (so ``1,234.50`` matches
    ``1234.50``).
    """
    said = [_text(m).lower().replace(",", "") for m in messages if isinstance(m, AIMessage)]
    return tuple(o for o in outputs if not any(o.lower() in text for text in said))


def _transferred_since_customer(messages: Sequence[BaseMessage]) -> bool:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return False
        if isinstance(message, ToolMessage) and message.name == TRANSFER_TOOL:
            if not _text(message).startswith("Error"):
                return True
    return False


async def play_task(
    task: TauTask,
    *,
    store: RetailStore,
    agent_model: BaseChatModel,
    customer: SimulatedCustomer | None = None,
    seed: int = 0,
    max_turns: int = DEFAULT_MAX_TURNS,
    kb: JsonKnowledgeBaseAdapter | None = None,
    callbacks: Sequence[Any] = (),
) -> TaskOutcome:
    """Play one task as a conversation on `store` and grade it by the final store hash.

    Args:
        task: The task.
        store: A fresh copy of the task's starting store; the conversation changes it in
            place (the expected hash is computed first, on a copy).
        agent_model: The CS agent's chat model.
        customer: The simulated customer; the offline one for this task's goal when None.
        seed: The offline customer's wording seed (and the thread id's suffix).
        max_turns: Customer messages at most.
        kb: The knowledge base the agent may search; none when None.
        callbacks: LangChain callbacks for the agent's runs (usage recording).

    Returns:
        The outcome: passed, the reason, both hashes and the transcript.
    """
    expected = replay_task(store, task).final_db_sha256
    if customer is None:
        customer = RuleCustomer(derive_goal(task, store), seed=seed, max_turns=max_turns)
    graph = build_cs_agent(
        model=agent_model,
        adapters=Adapters.from_store(store, kb=kb),
        merchant_id=store.merchant_id,
        policy=CsSettings(interrupt_on_escalation=False),
    )
    config: RunnableConfig = {
        "configurable": {"thread_id": f"tau:{task.id}:{seed}"},
        "recursion_limit": 100,
        "callbacks": list(callbacks),
    }
    text = await customer.opening()
    stop, note, closing = "turn_limit", "", ""
    messages: list[BaseMessage] = []
    for _ in range(max_turns):
        try:
            state = await graph.ainvoke({"messages": [HumanMessage(content=text)]}, config)
        except Exception as exc:
            # One agent failure is this trial's result, never the end of the run.
            logger.warning("task %s: the agent failed: %s", task.id, exc, exc_info=True)
            stop, note = "agent_error", f"{type(exc).__name__}: {exc}"
            messages = list(graph.get_state(config).values.get("messages", []))
            break
        messages = list(state["messages"])
        if _transferred_since_customer(messages):
            stop = "agent_transferred"
            break
        turn = await customer.respond(turn_reply(messages))
        if turn.stop is not None:
            stop, note, closing = turn.stop, turn.note, turn.text
            break
        text = turn.text
    final = store.store_sha256()
    missing = missing_outputs(task.outputs, messages)
    # τ-bench's reward: the store as the ground truth leaves it, and every output said.
    passed = final == expected and not missing
    if passed:
        reason = "passed"
    elif final == expected:
        reason = "missing_output"
    else:
        reason = "wrong_final_state" if stop == "goal_reached" else stop
    transcript = _transcript(messages)
    if closing:
        transcript.append({"role": "customer", "content": closing, "final": True})
    return TaskOutcome(
        task_id=task.id,
        passed=passed,
        reason=reason,
        final_sha256=final,
        expected_sha256=expected,
        transcript=tuple(transcript),
        note=note,
        writes=_writes(messages),
        missing_outputs=missing,
    )


@dataclass(frozen=True, slots=True)
class TauReport:
    """A run of `run_tau_eval`: the harness's trials and the failure reasons."""

    trials: TrialsResult
    agent_model: str
    user_model: str
    """The customer that ran, and what it knows."""
    output_tasks: frozenset[str] = frozenset()
    """Tasks that expect information stated (reported apart)."""

    def _subset(self, ids: frozenset[str], *, inside: bool) -> TrialsResult:
        keep = tuple(c for c in self.trials.case_ids if (c in ids) == inside)
        chosen = set(keep)
        return replace(
            self.trials,
            case_ids=keep,
            results=tuple(r for r in self.trials.results if r.case_id in chosen),
        )

    def turns(self) -> float | None:
        """Customer messages per conversation, on average over every trial."""
        counts = [r.detail.get("customer_turns") for r in self.trials.results]
        found = [c for c in counts if isinstance(c, int)]
        return sum(found) / len(found) if found else None

    def reasons(self) -> Counter[str]:
        """Trials per reason (``passed`` included; the harness's timeouts and errors too)."""
        counted: Counter[str] = Counter()
        for result in self.trials.results:
            reason = result.detail.get("reason")
            if isinstance(reason, str):
                counted[reason] += 1
            elif result.error is not None and result.error.startswith("timeout"):
                counted["timeout"] += 1
            else:
                # The trial raised before a conversation outcome (a bad task, say).
                counted["error"] += 1
        return counted

    def figures(self) -> dict[str, JsonValue]:
        """The headline figures for the result file."""
        hats: dict[str, JsonValue] = {
            f"pass^{k}": round(v, 4) for k, v in self.trials.pass_hat().items()
        }
        outputs = self._subset(self.output_tasks, inside=True)
        writes_only = self._subset(self.output_tasks, inside=False)
        turns = self.turns()
        return {
            **hats,
            "reasons": dict(self.reasons()),
            "tasks": len(self.trials.case_ids),
            "agent_model": self.agent_model,
            "customer": self.user_model,
            "customer_turns_mean": None if turns is None else round(turns, 2),
            "outputs_tasks": {
                "tasks": len(outputs.case_ids),
                **{f"pass^{k}": round(v, 4) for k, v in outputs.pass_hat().items()},
            },
            "other_tasks": {
                "tasks": len(writes_only.case_ids),
                **{f"pass^{k}": round(v, 4) for k, v in writes_only.pass_hat().items()},
            },
        }

    def lines(self) -> list[str]:
        """The printout: failure reasons, failed tasks (a few), pass^k."""
        out = [f"agent {self.agent_model}", f"customer: {self.user_model}"]
        total = len(self.trials.results) or 1
        for reason, count in self.reasons().most_common():
            out.append(f"  {reason:<20} {count:5d}  ({count / total:.1%})")
        failed = [r.case_id for r in self.trials.results if not r.passed]
        if failed:
            shown = ", ".join(sorted(set(failed))[:20])
            more = len(set(failed)) - 20
            out.append(f"failed: {shown}" + (f" (+{more} more)" if more > 0 else ""))
        for label, part in (
            ("tasks expecting information", self._subset(self.output_tasks, inside=True)),
            ("tasks expecting no information", self._subset(self.output_tasks, inside=False)),
        ):
            if part.case_ids:
                found = "  ".join(f"pass^{k} {v:.3f}" for k, v in part.pass_hat().items())
                out.append(f"  {label}: {len(part.case_ids)}, {found}")
            else:
                out.append(f"  {label}: none")
        turns = self.turns()
        if turns is not None:
            out.append(f"  customer messages per conversation: {turns:.1f}")
        hats = self.trials.pass_hat()
        cases, trials = len(self.trials.case_ids), self.trials.trials
        figures = "  ".join(f"pass^{k} {v:.3f}" for k, v in hats.items())
        out.append(
            f"tau: {figures} over {cases} tasks x {trials} trials in {self.trials.wall_time_s:.1f}s"
        )
        return out


def _customer_factory(
    user_model: str | BaseChatModel | None, max_turns: int
) -> tuple[str, Callable[[TauTask, RetailStore, int], SimulatedCustomer]]:
    if user_model is None or (
        isinstance(user_model, str) and user_model.strip() in {OFFLINE_CUSTOMER, "rules", ""}
    ):
        return OFFLINE_KNOWS, lambda task, store, seed: RuleCustomer(
            derive_goal(task, store), seed=seed, max_turns=max_turns
        )
    model = resolve_model(user_model)
    if isinstance(model, RulesChatModel):
        logger.warning("no model endpoint for the simulated customer: using the offline one")
        return _customer_factory(None, max_turns)
    name = f"LLM customer {model_label(model)}; knows its instruction (τ-bench's user simulator)"
    return name, lambda task, store, seed: LlmCustomer(model, task.instruction, max_turns=max_turns)


async def arun_tau_eval(
    tasks: Sequence[TauTask] | str | os.PathLike[str],
    db: str | os.PathLike[str] | RetailStore,
    *,
    model: str | BaseChatModel = "rules",
    user_model: str | BaseChatModel | None = None,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    out: str | os.PathLike[str] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> TauReport:
    """Play every task `trials` times and grade each trial by the final store hash.

    Args:
        tasks: The tasks, or a task file (τ-bench JSON array).
        db: The store directory (or a loaded store); each trial starts from a fresh copy.
        model: The CS agent's model: ``"rules"``, ``"openai:<name>"`` or a chat model.
        user_model: The simulated customer: None or ``"offline"`` for the offline one,
            ``"openai:<name>"`` (or a chat model) for τ-bench's LLM user.
        trials: Trials per task (k of pass^k goes up to it).
        seed: The run's seed; each trial's seed is derived from it (`derive_seed`).
        concurrency: Trials played at once.
        time_limit_s: Per trial; a trial past it fails with a timeout.
        max_turns: Customer messages per conversation.
        out: A JSONL file for the transcripts, one line per trial (overwritten).
        on_result: Called with each trial's result as it arrives.

    Returns:
        The report: the harness's trials (pass^k) and the failure reasons.

    Raises:
        TaskFileError: The task file is malformed.
        StoreFileError: The store cannot be loaded.
    """
    task_list = load_tasks(Path(tasks)) if isinstance(tasks, str | os.PathLike) else list(tasks)
    by_id = {task.id: task for task in task_list}
    base = db if isinstance(db, RetailStore) else RetailStore.load(db)
    kb = JsonKnowledgeBaseAdapter.from_file(REFERENCE_KB) if REFERENCE_KB.is_file() else None
    agent = resolve_model(model)
    agent_name = model_label(agent)
    user_name, make_customer = _customer_factory(user_model, max_turns)
    sink: IO[str] | None = None
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        sink = Path(out).open("w", encoding="utf-8")

    async def run_case(case_id: str, trial: int, trial_seed: int) -> CaseResult:
        task = by_id[case_id]
        store = base.fork()
        recorder = UsageRecorder()
        outcome = await play_task(
            task,
            store=store,
            agent_model=agent,
            customer=make_customer(task, store, trial_seed),
            seed=trial_seed,
            max_turns=max_turns,
            kb=kb,
            callbacks=[recorder],
        )
        if sink is not None:
            line = {"task": case_id, "trial": trial, "seed": trial_seed, "passed": outcome.passed}
            line |= outcome.detail() | {"messages": list(outcome.transcript)}
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            sink.flush()
        logger.info("task %s trial %d: %s", case_id, trial, outcome.reason)
        return CaseResult(
            case_id,
            trial,
            trial_seed,
            outcome.passed,
            0.0,
            usage=Usage.from_totals(recorder.totals()),
            detail=outcome.detail(),
        )

    try:
        result = await run_trials(
            list(by_id),
            run_case,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit_s,
            on_result=on_result,
        )
    finally:
        if sink is not None:
            sink.close()
    return TauReport(
        trials=result,
        agent_model=agent_name,
        user_model=user_name,
        output_tasks=frozenset(t.id for t in task_list if t.outputs),
    )


def run_tau_eval(
    tasks: Sequence[TauTask] | str | os.PathLike[str],
    db: str | os.PathLike[str] | RetailStore,
    *,
    model: str | BaseChatModel = "rules",
    user_model: str | BaseChatModel | None = None,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    out: str | os.PathLike[str] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> TauReport:
    """`arun_tau_eval` from sync code (it runs its own event loop); same arguments."""
    return asyncio.run(
        arun_tau_eval(
            tasks,
            db,
            model=model,
            user_model=user_model,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit_s,
            max_turns=max_turns,
            out=out,
            on_result=on_result,
        )
    )
