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
from shopcrew.tools.json_store import RetailStore
from shopcrew.tools.tau import TauRetailTools

__all__ = [
    "Mismatch",
    "ReplayResult",
    "TauAction",
    "TauTask",
    "compare_results",
    "load_expected",
    "load_tasks",
    "replay_task",
    "replay_tasks",
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
class Mismatch:
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


def compare_results(
    results: Sequence[ReplayResult], expected: dict[str, ReplayResult]
) -> list[Mismatch]:
    """Compare results with the oracle; tasks missing on either side are mismatches."""
    mismatches: list[Mismatch] = []
    produced = {result.task for result in results}
    for result in results:
        want = expected.get(result.task)
        if want is None:
            mismatches.append(Mismatch(result.task, "not in the expected file"))
            continue
        detail = _first_difference(result, want)
        if detail is not None:
            mismatches.append(Mismatch(result.task, detail))
    mismatches.extend(
        Mismatch(task, "expected but not replayed (missing from the task file)")
        for task in expected
        if task not in produced
    )
    return mismatches


def _first_difference(got: ReplayResult, want: ReplayResult) -> str | None:
    for index, (ours, theirs) in enumerate(zip(got.outputs, want.outputs, strict=False)):
        if ours != theirs:
            return f"output {index}: got {_short(ours)}, expected {_short(theirs)}"
    if len(got.outputs) != len(want.outputs):
        return f"{len(got.outputs)} outputs, expected {len(want.outputs)}"
    if got.final_db_sha256 != want.final_db_sha256:
        return f"final_db_sha256 {got.final_db_sha256}, expected {want.final_db_sha256}"
    return None


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
