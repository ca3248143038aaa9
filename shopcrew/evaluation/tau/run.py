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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph

from shopcrew.agents.policy import CsSettings
from shopcrew.evaluation.harness import CaseResult, Usage, run_trials
from shopcrew.evaluation.labels import model_label
from shopcrew.evaluation.tau.customer import (
    OFFLINE_KNOWS,
    LlmCustomer,
    RuleCustomer,
    SimulatedCustomer,
)
from shopcrew.evaluation.tau.goal import derive_goal
from shopcrew.evaluation.tau.outcome import (
    TaskOutcome,
    missing_outputs,
    transcript_of,
    transferred_since_customer,
    writes_of,
)
from shopcrew.evaluation.tau.replay import TauTask, load_tasks, replay_task
from shopcrew.evaluation.tau.report import TauReport
from shopcrew.graphs.cs import CsState, build_cs_agent, turn_reply
from shopcrew.models.factory import resolve_model
from shopcrew.models.rules import RulesChatModel
from shopcrew.models.usage import UsageRecorder
from shopcrew.tools.adapters import REFERENCE_KB, Adapters
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.store import RetailStore

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
    talk = await _converse(graph, customer, config, task_id=task.id, max_turns=max_turns)
    messages = talk.messages
    final = store.store_sha256()
    missing = missing_outputs(task.outputs, messages)
    # τ-bench's reward: the store as the ground truth leaves it, and every output said.
    passed = final == expected and not missing
    reason = _reason(passed=passed, same_store=final == expected, stop=talk.stop)
    transcript = transcript_of(messages)
    if talk.closing:
        transcript.append({"role": "customer", "content": talk.closing, "final": True})
    return TaskOutcome(
        task_id=task.id,
        passed=passed,
        reason=reason,
        final_sha256=final,
        expected_sha256=expected,
        transcript=tuple(transcript),
        note=talk.note,
        writes=writes_of(messages),
        missing_outputs=missing,
    )


@dataclass(frozen=True, slots=True)
class _Conversation:
    """How a played conversation went: its messages, and why and how it ended."""

    messages: list[BaseMessage]
    stop: str = "turn_limit"
    note: str = ""
    closing: str = ""
    """The customer's last words, not sent to the agent."""


async def _converse(
    graph: CompiledStateGraph[CsState],
    customer: SimulatedCustomer,
    config: RunnableConfig,
    *,
    task_id: str,
    max_turns: int,
) -> _Conversation:
    """Let the customer and the agent talk until one of them ends it or the turns run out."""
    text = await customer.opening()
    messages: list[BaseMessage] = []
    for _ in range(max_turns):
        try:
            state = await graph.ainvoke({"messages": [HumanMessage(content=text)]}, config)
        except Exception as exc:
            # One agent failure is this trial's result, never the end of the run.
            logger.warning("task %s: the agent failed: %s", task_id, exc, exc_info=True)
            messages = list(graph.get_state(config).values.get("messages", []))
            return _Conversation(messages, "agent_error", f"{type(exc).__name__}: {exc}")
        messages = list(state["messages"])
        if transferred_since_customer(messages):
            return _Conversation(messages, "agent_transferred")
        turn = await customer.respond(turn_reply(messages))
        if turn.stop is not None:
            return _Conversation(messages, turn.stop, turn.note, turn.text)
        text = turn.text
    return _Conversation(messages)


def _reason(*, passed: bool, same_store: bool, stop: str) -> str:
    """A trial's reason (`TAU_REASONS`): passed, or why it failed."""
    if passed:
        return "passed"
    if same_store:
        return "missing_output"
    return "wrong_final_state" if stop == "goal_reached" else stop


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
    agent = resolve_model(model)
    user_name, make_customer = _customer_factory(user_model, max_turns)
    players = _TauPlayers(
        {task.id: task for task in task_list},
        base=db if isinstance(db, RetailStore) else RetailStore.load(db),
        kb=JsonKnowledgeBaseAdapter.from_file(REFERENCE_KB) if REFERENCE_KB.is_file() else None,
        agent=agent,
        make_customer=make_customer,
        max_turns=max_turns,
        sink=_open_sink(out),
    )
    try:
        result = await run_trials(
            list(players.by_id),
            players.play,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            time_limit_s=time_limit_s,
            on_result=on_result,
        )
    finally:
        if players.sink is not None:
            players.sink.close()
    return TauReport(
        trials=result,
        agent_model=model_label(agent),
        user_model=user_name,
        output_tasks=frozenset(t.id for t in task_list if t.outputs),
    )


def _open_sink(out: str | os.PathLike[str] | None) -> IO[str] | None:
    """The transcripts file, opened for writing (its folder made), or None without one."""
    if out is None:
        return None
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return Path(out).open("w", encoding="utf-8")


@dataclass(frozen=True, slots=True)
class _TauPlayers:
    """Plays each (task, trial) on a fresh fork of the store; writes each transcript line."""

    by_id: Mapping[str, TauTask]
    base: RetailStore
    kb: JsonKnowledgeBaseAdapter | None
    agent: BaseChatModel
    make_customer: Callable[[TauTask, RetailStore, int], SimulatedCustomer]
    max_turns: int
    sink: IO[str] | None

    async def play(self, case_id: str, trial: int, trial_seed: int) -> CaseResult:
        """One trial of one task (called by the harness)."""
        task = self.by_id[case_id]
        store = self.base.fork()
        recorder = UsageRecorder()
        outcome = await play_task(
            task,
            store=store,
            agent_model=self.agent,
            customer=self.make_customer(task, store, trial_seed),
            seed=trial_seed,
            max_turns=self.max_turns,
            kb=self.kb,
            callbacks=[recorder],
        )
        if self.sink is not None:
            line = {"task": case_id, "trial": trial, "seed": trial_seed, "passed": outcome.passed}
            line |= outcome.detail() | {"messages": list(outcome.transcript)}
            self.sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.sink.flush()
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
