"""The scenario engine: plays a timeline through the crew on a simulated clock, then reports.

```
load ─► build the store (fork + overrides) ─► expand the timeline (seeded)
     ─► for each event: set the clock, run it (crew, person, warehouse, fault) ─► observe
     ─► analyse (figures, violations) ─► expectations ─► report.json + transcript.jsonl
```
In memory by default; with a Redis URL the crew runs on `RedisSaver`/`RedisStore`/
`RedisBlackboard` under a per-run namespace, deleted afterwards unless kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from langchain_core.language_models import BaseChatModel

from shopcrew.errors import ShopcrewError
from shopcrew.models.factory import resolve_model
from shopcrew.scenario._play import Outcome, Runner, SimClock
from shopcrew.scenario._report_build import build_report
from shopcrew.scenario.analysis import RunLog, effective_budgets
from shopcrew.scenario.loader import load_scenario
from shopcrew.scenario.observer import TALLY_KEYS, NullObserver, RunObserver
from shopcrew.scenario.redis_server import SPAWN, SpawnedRedis
from shopcrew.scenario.spec import Scenario
from shopcrew.scenario.timeline import Step, expand_timeline
from shopcrew.scenario.transcript import write_transcript
from shopcrew.scenario.world import World, build_world

__all__ = ["RunResult", "SimClock", "run_scenario"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunResult:
    """A finished run: the report (report.json's dict) and where its files are."""

    report: dict[str, Any]
    out_dir: Path | None
    passed: bool


def _tally(log: RunLog, runner: Runner, total: int, done: int) -> dict[str, int]:
    tally = dict.fromkeys(TALLY_KEYS, 0)
    tally.update(log.agent_counts)
    tally["done"], tally["waiting"] = done, total - done
    tally["escalations"] = sum(c.escalated for c in log.conversations.values())
    tally["approvals_waiting"] = len(runner.queue().pending())
    tally["violations"] = log.live_violations
    return tally


def run_scenario(
    path: str | Path,
    *,
    model: str | BaseChatModel = "rules",
    redis_url: str | None = None,
    namespace: str | None = None,
    keep_memory: bool = False,
    seed: int | None = None,
    out_dir: str | Path | None = None,
    observer: RunObserver | None = None,
    write_markdown: bool = True,
    volume: float = 1.0,
) -> RunResult:
    """Run a scenario file and return (and, with `out_dir`, write) its report.

    Args:
        path: The scenario YAML file.
        model: `"rules"`, `"openai:<name>"` or a chat model for the CS agent.
        redis_url: Run on Redis at this URL; `"spawn"` starts a private redis-server (which
            `restart` faults may restart); in memory when None.
        namespace: The Redis key namespace of the run; a fresh one when None.
        keep_memory: Keep the run's Redis keys (default: delete them afterwards).
        seed: Seeds the generators; the scenario's `seed` when None.
        out_dir: Write report.json, transcript.jsonl (and report.md, charts) here.
        observer: Told about each event as it finishes (a progress display).
        write_markdown: Render report.md and the charts when the report module is present.
        volume: Scales the generators' conversation counts (0.1 for a quick try).

    Raises:
        ScenarioError: The file is not a valid scenario.
    """
    started = time.perf_counter()
    started_at = datetime.now().astimezone()
    scenario, world, steps, chosen_seed = _load(path, seed=seed, volume=volume)
    observer = observer or NullObserver()
    clock = SimClock(scenario.clock.start)
    memory = _RunMemory.choose(redis_url, namespace=namespace, keep=keep_memory)
    runner = memory.start_runner(scenario, world, model=resolve_model(model), clock=clock)
    budgets_before = effective_budgets(world)
    try:
        records, transcript = _play_steps(runner, steps, clock=clock, observer=observer)
        meta = {
            **_meta(scenario, path=path, seed=chosen_seed, volume=volume, model=model),
            **memory.describe(),
            "started_at": started_at.isoformat(timespec="seconds"),
            "simulated_start": scenario.clock.start.isoformat(),
            "simulated_end": clock.now.isoformat(),
        }
        report = _report(runner, scenario, world, records, budgets_before, meta)
    finally:
        runner.close()
        memory.release()
    report["scenario"]["duration_s"] = round(time.perf_counter() - started, 3)
    if memory.url is not None:
        report["scenario"]["redis_namespace"] = memory.kept_namespace()
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        _write(report, transcript, out, write_markdown=write_markdown)
    observer.finished(report)
    return RunResult(report=report, out_dir=out, passed=bool(report["passed"]))


def _load(
    path: str | Path, *, seed: int | None, volume: float
) -> tuple[Scenario, World, list[Step], int]:
    """The scenario, its world (store fork and overrides), its expanded timeline and seed."""
    source = str(path)
    scenario = load_scenario(path)
    chosen_seed = scenario.seed if seed is None else seed
    world = build_world(
        scenario.store, base=Path(path).resolve().parent, source=source, seed=chosen_seed
    )
    steps = expand_timeline(
        scenario, store=world.retail, seed=chosen_seed, source=source, volume=volume
    )
    return scenario, world, steps, chosen_seed


def _meta(
    scenario: Scenario,
    *,
    path: str | Path,
    seed: int,
    volume: float,
    model: str | BaseChatModel,
) -> dict[str, Any]:
    """The report's description of the run: scenario, file, seed, volume, model."""
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "file": str(path),
        "seed": seed,
        "volume": volume,
        "model": model if isinstance(model, str) else type(model).__name__,
    }


@dataclass(frozen=True, slots=True)
class _RunMemory:
    """Where a run's memory lives: in process, on a given Redis, or on a spawned private one."""

    url: str | None
    namespace: str
    server: SpawnedRedis | None
    keep: bool

    @classmethod
    def choose(cls, redis_url: str | None, *, namespace: str | None, keep: bool) -> _RunMemory:
        server = SpawnedRedis() if redis_url == SPAWN else None
        url = server.url if server is not None else redis_url
        return cls(url, namespace or f"shopcrew-scn-{uuid4().hex[:12]}", server, keep)

    def start_runner(
        self, scenario: Scenario, world: World, *, model: BaseChatModel, clock: SimClock
    ) -> Runner:
        """Start the private server (if any) and the runner; close the server on failure."""
        try:
            if self.server is not None:
                self.server.start()
            return Runner(
                scenario,
                world,
                model=model,
                redis_url=self.url,
                namespace=self.namespace,
                clock=clock,
                server=self.server,
            )
        except BaseException:
            if self.server is not None:
                self.server.close()
            raise

    def describe(self) -> dict[str, str | None]:
        """The report's `memory` and `redis` fields."""
        redis = None if self.url is None else "spawned" if self.server else "given"
        return {"memory": "redis" if self.url else "in-memory", "redis": redis}

    def release(self) -> None:
        """Stop the private server, or delete the run's keys unless they are kept."""
        if self.server is not None:
            self.server.close()
        elif self.url is not None and not self.keep:
            _delete_namespace(self.url, self.namespace)

    def kept_namespace(self) -> str | None:
        """The namespace left in Redis after the run (a spawned server keeps nothing)."""
        return self.namespace if self.keep and self.server is None else None


def _play_steps(
    runner: Runner, steps: list[Step], *, clock: SimClock, observer: RunObserver
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Play each step at its simulated time; return the event records and transcript lines.

    An event that fails with one of our errors (or a bad value, a missing key, an OS error)
    is recorded as an `error` outcome and the day goes on.
    """
    records: list[dict[str, Any]] = []
    transcript: list[dict[str, Any]] = []
    observer.started(runner.scenario.name, len(steps))
    for step in steps:
        clock.now = step.at
        began = time.perf_counter()
        try:
            outcome = runner.play(step)
        except (ShopcrewError, ValueError, KeyError, OSError) as exc:
            logger.warning("event %s failed: %s", step.id, exc)
            outcome = Outcome("error", f"{type(exc).__name__}: {exc}")
        latency = (time.perf_counter() - began) * 1000
        record = _record(step, outcome, latency)
        records.append(record)
        runner.log.count(step, outcome.outcome)
        transcript.append(_transcript_line(step, outcome, record))
        observer.event_done(record, _tally(runner.log, runner, len(steps), len(records)))
    return records, transcript


def _report(
    runner: Runner,
    scenario: Scenario,
    world: World,
    records: list[dict[str, Any]],
    budgets_before: Mapping[str, float],
    meta: dict[str, Any],
) -> dict[str, Any]:
    """The report of the played day, with each conversation's messages read from memory."""
    thread_messages = {
        cid: runner.messages_of(conv.thread_id) for cid, conv in runner.log.conversations.items()
    }
    return build_report(
        scenario,
        runner.log,
        world=world,
        queue=runner.queue(),
        records=records,
        budgets_before=budgets_before,
        usage=runner.recorder,
        thread_messages=thread_messages,
        meta=meta,
    )


def _record(step: Step, outcome: Outcome, latency: float) -> dict[str, Any]:
    return {
        "index": step.index,
        "id": step.id,
        "kind": step.kind,
        "agent": step.agent,
        "at": step.at.isoformat(),
        "latency_ms": round(latency, 3),
        "outcome": outcome.outcome,
        "thread_id": outcome.thread_id,
        "detail": outcome.detail,
    }


def _transcript_line(step: Step, outcome: Outcome, record: Mapping[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = {**record, "event": step.spec.model_dump(mode="json", exclude_none=True)}
    if step.template is not None:
        line["template"], line["lang"] = step.template, step.lang
    line.update(outcome.extra)
    return line


def _delete_namespace(url: str, namespace: str) -> None:
    import redis

    with redis.Redis.from_url(url) as client:
        keys = list(client.scan_iter(f"*{namespace}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    logger.info("deleted %d keys of run namespace %s", len(keys), namespace)


def _write(
    report: dict[str, Any],
    transcript: list[dict[str, Any]],
    out: Path,
    *,
    write_markdown: bool,
) -> None:
    import json

    out.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {"transcript": "transcript.jsonl", "report_json": "report.json"}
    report["artifacts"] = artifacts
    write_transcript(out / "transcript.jsonl", transcript)
    render = _markdown_writer() if write_markdown else None
    if render is not None:
        files = render(report, out)
        artifacts["report_md"] = "report.md"
        charts = getattr(files, "charts", None)
        if charts is not None:
            artifacts["charts"] = [
                str(Path(c).relative_to(out)) if Path(c).is_absolute() else str(c) for c in charts
            ]
    (out / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )


def _markdown_writer() -> Callable[[Mapping[str, Any], Path], Any] | None:
    """`shopcrew.scenario.report.write_report` when that module is installed."""
    try:
        from shopcrew.scenario import report as markdown
    except ImportError:
        return None
    writer: Callable[[Mapping[str, Any], Path], Any] | None = getattr(
        markdown, "write_report", None
    )
    return writer
