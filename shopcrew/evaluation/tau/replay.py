"""Replay of τ-bench retail tasks: apply each task's ground-truth actions to a fresh store.

For each task the store starts from the loaded files, every action runs through
`TauRetailTools` (errors are recorded, not fatal), and the result is the list of tool
outputs and the canonical hash of the final store (README of `tau-retail`). Results are
compared with an oracle file of the same JSONL format.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from shopcrew.errors import TaskFileError
from shopcrew.evaluation.harness import (
    CaseResult,
    TrialsResult,
    run_trials_sync,
    trial_notes,
    trials_agree,
)
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.tools import TauRetailTools

__all__ = [
    "ReplayMismatch",
    "ReplayResult",
    "ReplayRun",
    "TauAction",
    "TauTask",
    "compare_results",
    "load_expected",
    "load_tasks",
    "replay_task",
    "replay_tasks",
    "run_replay",
]

logger = logging.getLogger(__name__)


class TauAction(BaseModel):
    """One ground-truth tool call of a task."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="A τ-bench retail tool name.")
    kwargs: dict[str, JsonValue] = Field(description="The tool's keyword arguments.")


class TauTask(BaseModel):
    """A τ-bench task (the fields of `tasks_*.json`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Unique task id, e.g. 'train-0'.")
    user_id: str = Field(description="The customer the task is about.")
    instruction: str = Field(description="The simulated user's goal.")
    actions: list[TauAction] = Field(description="Ground-truth tool calls, in order.")
    outputs: list[str] = Field(
        default_factory=list, description="What the agent must say; not used by the replay."
    )


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """The outputs and final store hash of one replayed task."""

    task: str
    outputs: tuple[str, ...]
    final_db_sha256: str

    def to_json_line(self) -> str:
        """Return the JSONL line `{"task": ..., "outputs": [...], "final_db_sha256": ...}`."""
        outputs = list(self.outputs)
        return json.dumps(
            {"task": self.task, "outputs": outputs, "final_db_sha256": self.final_db_sha256}
        )


@dataclass(frozen=True, slots=True)
class ReplayMismatch:
    """A task whose replay differs from the oracle, or is missing on one side."""

    task: str
    detail: str
    """What differs: the first differing output, the output count, the hash, or absence."""


def load_tasks(path: str | Path) -> list[TauTask]:
    """Read and validate a task file (one JSON array of tasks).

    Raises:
        TaskFileError: the file is missing, not JSON, not an array, a task is malformed
            (naming the task and the field), or two tasks share an id.
    """
    where = str(path)
    data = _read_json(Path(path))
    if not isinstance(data, list):
        raise TaskFileError(where, f"expected a JSON array of tasks, found {type(data).__name__}")
    tasks: list[TauTask] = []
    seen: set[str] = set()
    for index, raw in enumerate(data):
        name = raw.get("id") if isinstance(raw, dict) else None
        label = name if isinstance(name, str) else f"#{index}"
        try:
            task = TauTask.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise TaskFileError(where, first["msg"], task=label, field=field) from exc
        if task.id in seen:
            raise TaskFileError(where, "a second task with this id", task=task.id, field="id")
        seen.add(task.id)
        tasks.append(task)
    return tasks


def load_expected(path: str | Path) -> dict[str, ReplayResult]:
    """Read an oracle JSONL file into results keyed by task id.

    Raises:
        TaskFileError: the file is missing or a line is not a result line.
    """
    where = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TaskFileError(where, f"cannot read the file ({exc.strerror or exc})") from exc
    expected: dict[str, ReplayResult] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = _ResultLine.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise TaskFileError(where, f"line {number}: {first['msg']}", field=field) from exc
        expected[row.task] = ReplayResult(row.task, tuple(row.outputs), row.final_db_sha256)
    return expected


class _ResultLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    outputs: list[str]
    final_db_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def replay_task(store: RetailStore, task: TauTask) -> ReplayResult:
    """Replay one task on a fork of `store` (which is left unchanged)."""
    fresh = store.fork()
    tools = TauRetailTools(fresh)
    outputs = tuple(tools.invoke(action.name, action.kwargs) for action in task.actions)
    return ReplayResult(task.id, outputs, fresh.store_sha256())


def replay_tasks(
    store: RetailStore,
    tasks: Iterable[TauTask],
    *,
    on_result: Callable[[ReplayResult], None] | None = None,
) -> Iterator[ReplayResult]:
    """Replay tasks one after another, each on a fresh copy of `store`."""
    for task in tasks:
        result = replay_task(store, task)
        logger.debug("replayed %s: %d actions", task.id, len(task.actions))
        if on_result is not None:
            on_result(result)
        yield result


@dataclass(frozen=True, slots=True)
class ReplayRun:
    """What `run_replay` measured."""

    results: tuple[ReplayResult, ...]
    """Trial 0's results in task order (a task that failed in the harness has none)."""
    mismatches: tuple[ReplayMismatch, ...] | None
    """Against the oracle, when one was given."""
    run: TrialsResult

    @property
    def total(self) -> int:
        """Tasks on either side (replayed or expected)."""
        return len({task for task in self.run.case_ids} | set(self.expected_ids))

    expected_ids: tuple[str, ...] = ()

    def lines(self, out: Path | None = None) -> list[str]:
        """Mismatches, failed trials and pass^k, then the summary line."""
        lines = [f"mismatch {m.task}: {m.detail}" for m in self.mismatches or ()]
        lines.extend(trial_notes(self.run, agree_key="final_db_sha256"))
        if self.mismatches is None:
            where = "" if out is None else f", results in {out}"
            lines.append(f"tau-replay: {len(self.results)} tasks replayed{where}")
        else:
            lines.append(
                f"tau-replay: {self.total - len(self.mismatches)}/{self.total} tasks match"
            )
        return lines

    def figures(self) -> dict[str, object]:
        """Headline figures for the result file: tasks, matches, mismatches."""
        figures: dict[str, object] = {
            "tasks": len(self.run.case_ids),
            "replayed": len(self.results),
            "trials_agree": trials_agree(self.run, "final_db_sha256"),
        }
        if self.mismatches is not None:
            figures.update(
                matches=self.total - len(self.mismatches),
                mismatches=len(self.mismatches),
                compared=self.total,
            )
        return figures


def run_replay(
    store: RetailStore,
    tasks: Sequence[TauTask],
    *,
    expected: dict[str, ReplayResult] | None = None,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
    replay: Callable[[TauTask], ReplayResult] | None = None,
    as_json: bool = False,
) -> ReplayRun:
    """Replay tasks through the harness, each trial on a fresh copy of `store`.

    A task passes when it matches the oracle (without one, when its replay ran). Replay is
    deterministic, so trials agree; several trials check that. Results are trial 0's.

    Args:
        store: The loaded store (never changed).
        tasks: The tasks, ids unique.
        expected: The oracle by task id, or None.
        trials: Trials per task.
        seed: The run's seed (replay uses none).
        concurrency: Tasks replayed at once (threads).
        time_limit_s: Per task and trial; None for no limit.
        on_result: Called with each result as it finishes (progress).
        replay: Replays one task some other way (through adapters, `adapter_replay`);
            `replay_task` on a fork of `store` when omitted.
        as_json: Compare outputs as JSON values (records whose keys come in another order).
    """
    by_id = {task.id: task for task in tasks}
    replay_one = replay or (lambda task: replay_task(store, task))

    def run_case(task_id: str, trial: int, trial_seed: int) -> CaseResult:
        passed, detail = _replay_one(replay_one, by_id[task_id], expected, as_json=as_json)
        return CaseResult(task_id, trial, trial_seed, passed, 0.0, detail=detail)

    run = run_trials_sync(
        list(by_id),
        run_case,
        trials=trials,
        seed=seed,
        concurrency=concurrency,
        time_limit_s=time_limit_s,
        on_result=on_result,
    )
    results = tuple(
        ReplayResult(
            r.case_id,
            tuple(str(o) for o in r.detail["outputs"]),
            str(r.detail["final_db_sha256"]),
        )
        for r in run.for_trial(0)
        if "final_db_sha256" in r.detail
    )
    mismatches = None if expected is None else _mismatches(run, results, expected, as_json=as_json)
    return ReplayRun(results, mismatches, run, tuple(expected or ()))


def _replay_one(
    replay: Callable[[TauTask], ReplayResult],
    task: TauTask,
    expected: dict[str, ReplayResult] | None,
    *,
    as_json: bool,
) -> tuple[bool, dict[str, object]]:
    """Replay one task: whether it matches the oracle (True without one), and what it gave."""
    result = replay(task)
    detail: dict[str, object] = {
        "outputs": list(result.outputs),
        "final_db_sha256": result.final_db_sha256,
    }
    if expected is None:
        return True, detail
    want = expected.get(task.id)
    problem = (
        "not in the expected file"
        if want is None
        else _first_difference(result, want, as_json=as_json)
    )
    if problem is not None:
        detail["mismatch"] = problem
    return problem is None, detail


def _mismatches(
    run: TrialsResult,
    results: Sequence[ReplayResult],
    expected: dict[str, ReplayResult],
    *,
    as_json: bool,
) -> tuple[ReplayMismatch, ...]:
    """Trial 0's differences from the oracle, a task that did not replay first."""
    found = compare_results(results, expected, as_json=as_json)
    failed = {r.case_id: r.error for r in run.for_trial(0) if r.error is not None}
    return tuple(
        [ReplayMismatch(task, f"not replayed: {error}") for task, error in failed.items()]
        + [m for m in found if m.task not in failed]
    )


def compare_results(
    results: Sequence[ReplayResult], expected: dict[str, ReplayResult], *, as_json: bool = False
) -> list[ReplayMismatch]:
    """Compare results with the oracle; tasks missing on either side are mismatches.

    With `as_json`, outputs that parse as equal JSON values are equal.
    """
    mismatches: list[ReplayMismatch] = []
    produced = {result.task for result in results}
    for result in results:
        want = expected.get(result.task)
        if want is None:
            mismatches.append(ReplayMismatch(result.task, "not in the expected file"))
            continue
        detail = _first_difference(result, want, as_json=as_json)
        if detail is not None:
            mismatches.append(ReplayMismatch(result.task, detail))
    mismatches.extend(
        ReplayMismatch(task, "expected but not replayed (missing from the task file)")
        for task in expected
        if task not in produced
    )
    return mismatches


def _first_difference(got: ReplayResult, want: ReplayResult, *, as_json: bool) -> str | None:
    for index, (ours, theirs) in enumerate(zip(got.outputs, want.outputs, strict=False)):
        if ours != theirs and not (as_json and _same_json(ours, theirs)):
            return f"output {index}: got {_short(ours)}, expected {_short(theirs)}"
    if len(got.outputs) != len(want.outputs):
        return f"{len(got.outputs)} outputs, expected {len(want.outputs)}"
    if got.final_db_sha256 != want.final_db_sha256:
        return f"final_db_sha256 {got.final_db_sha256}, expected {want.final_db_sha256}"
    return None


def _same_json(ours: str, theirs: str) -> bool:
    try:
        return bool(json.loads(ours) == json.loads(theirs))
    except json.JSONDecodeError:
        return False


def _short(text: str, limit: int = 200) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        raise TaskFileError(str(path), "the file does not exist") from None
    except OSError as exc:
        raise TaskFileError(str(path), f"cannot read the file ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TaskFileError(str(path), f"not valid JSON ({exc})") from exc
