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
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from shopcrew.agents.approvals import ApprovalQueue, ApprovalRecord, Decision
from shopcrew.agents.planner_agent import reviews_namespace
from shopcrew.agents.store_manager import audits_namespace
from shopcrew.errors import ShopcrewError
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import (
    AuditTick,
    BudgetReviewTick,
    CustomerMessage,
    HumanDecision,
    OrderEvent,
    thread_for,
)
from shopcrew.memory import Memory, StockAlert, connect
from shopcrew.models.factory import resolve_model
from shopcrew.models.usage import UsageRecorder
from shopcrew.scenario.analysis import RunLog, build_report, effective_budgets
from shopcrew.scenario.loader import load_scenario
from shopcrew.scenario.observer import TALLY_KEYS, NullObserver, RunObserver
from shopcrew.scenario.spec import (
    ApprovalSelector,
    AuditTickSpec,
    BudgetReviewSpec,
    CustomerMessageSpec,
    HumanDecisionSpec,
    HumanReplySpec,
    ListingEditSpec,
    OrderEventSpec,
    RedisFaultSpec,
    RestartProcessSpec,
    Scenario,
    StockChangeSpec,
)
from shopcrew.scenario.timeline import Step, expand_timeline
from shopcrew.scenario.transcript import summarise_messages, write_transcript
from shopcrew.scenario.world import World, build_world, set_order_status

__all__ = ["RunResult", "SimClock", "run_scenario"]

logger = logging.getLogger(__name__)

_RECURSION_LIMIT = 100


class SimClock:
    """The simulated clock the crew is built with; the engine moves it event by event."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        """The simulated now."""
        return self.now


@dataclass(frozen=True, slots=True)
class RunResult:
    """A finished run: the report (report.json's dict) and where its files are."""

    report: dict[str, Any]
    out_dir: Path | None
    passed: bool


@dataclass
class _Outcome:
    outcome: str
    detail: str = ""
    thread_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class _Runner:
    """One run's moving parts: memory, crew, clock and what the events produced."""

    def __init__(
        self,
        scenario: Scenario,
        world: World,
        *,
        model: BaseChatModel,
        redis_url: str | None,
        namespace: str,
        clock: SimClock,
    ) -> None:
        self.scenario, self.world, self.model = scenario, world, model
        self.redis_url, self.namespace, self.clock = redis_url, namespace, clock
        self.merchant = scenario.store.merchant_id
        self.recorder = UsageRecorder()
        self.memory = self._connect()
        self.crew = self._build()
        self.log = RunLog()

    # -- memory and crew -----------------------------------------------------------------

    def _connect(self) -> Memory:
        if self.redis_url is None:
            return connect("", merchant_id=self.merchant)
        join = "&" if "?" in self.redis_url else "?"
        url = f"{self.redis_url}{join}client_name={self.namespace}"
        return connect(url, merchant_id=self.merchant, namespace=self.namespace)

    def _build(self) -> CompiledStateGraph[Any, Any, Any, Any]:
        return build_crew(
            model=self.model,
            checkpointer=self.memory.checkpointer,
            store=self.memory.store,
            adapters=self.world.adapters,
            merchant_id=self.merchant,
            policy=self.scenario.policy,
            blackboard=self.memory.blackboard,
            clock=self.clock,
        )

    def queue(self) -> ApprovalQueue:
        return ApprovalQueue(self.memory.store, merchant_id=self.merchant, clock=self.clock)

    def close(self) -> None:
        self.memory.close()

    def _config(self, thread_id: str) -> RunnableConfig:
        return {
            "configurable": {"thread_id": thread_id},
            "recursion_limit": _RECURSION_LIMIT,
            "callbacks": [self.recorder],
        }

    # -- events --------------------------------------------------------------------------

    def play(self, step: Step) -> _Outcome:
        spec = step.spec
        if isinstance(spec, CustomerMessageSpec):
            return self._customer(step, spec)
        if isinstance(spec, OrderEventSpec):
            return self._order(step, spec)
        if isinstance(spec, AuditTickSpec):
            return self._audit(step, spec)
        if isinstance(spec, BudgetReviewSpec):
            return self._review(step)
        if isinstance(spec, HumanDecisionSpec):
            return self._decide(step, spec)
        if isinstance(spec, HumanReplySpec):
            return self._reply(step, spec)
        if isinstance(spec, ListingEditSpec):
            return self._edit(step, spec)
        if isinstance(spec, StockChangeSpec):
            return self._stock(step, spec)
        if isinstance(spec, RedisFaultSpec):
            return self._fault(spec)
        return self._restart(spec)

    def _messages(self, config: RunnableConfig) -> tuple[list[BaseMessage], bool]:
        """The conversation's messages (the waiting subgraph's when it waits) and whether."""
        snapshot = self.crew.get_state(config, subgraphs=True)
        messages: list[BaseMessage] = list(snapshot.values.get("messages", []))
        waiting = bool(snapshot.interrupts)
        for task in snapshot.tasks:
            waiting = waiting or bool(task.interrupts)
            sub = task.state
            if sub is not None and not isinstance(sub, Mapping):
                inner = list(sub.values.get("messages", []))
                if len(inner) > len(messages):
                    messages = inner
        return messages, waiting

    def messages_of(self, thread_id: str) -> list[BaseMessage]:
        """A conversation's messages at the end of the run."""
        return self._messages(self._config(thread_id))[0]

    def _customer(self, step: Step, spec: CustomerMessageSpec) -> _Outcome:
        event = CustomerMessage(
            id=step.id,
            at=step.at,
            conversation_id=spec.conversation,
            text=spec.text,
            customer_id=spec.customer_id,
        )
        thread = thread_for(event, merchant_id=self.merchant)
        conv = self.log.conversation(spec.conversation, thread, step)
        conv.turns += 1
        if conv.waiting_person:
            conv.queued.append(spec.text)
            return _Outcome("escalated", "waiting for a person; not sent to the agent", thread)
        config = self._config(thread)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, config)
        messages, waiting = self._messages(config)
        new = summarise_messages(messages[conv.seen :])
        conv.seen = len(messages)
        conv.absorb(step.id, new)
        interrupts = out.get("__interrupt__") or []
        if interrupts or waiting:
            ticket = interrupts[0].value if interrupts else {}
            conv.escalate(step, ticket if isinstance(ticket, Mapping) else {})
            reason = conv.reason or "other"
            return _Outcome("escalated", f"transferred to a person ({reason})", thread, new)
        replies = [r["text"] for r in new["replies"]]
        detail = replies[-1][:120] if replies else "no reply"
        return _Outcome("resolved", detail, thread, new)

    def _order(self, step: Step, spec: OrderEventSpec) -> _Outcome:
        if spec.apply_status is not None:
            set_order_status(self.world.retail, spec.order_id, spec.apply_status)
            self.log.order_writes.add(spec.order_id)
        products = spec.product_ids
        if products is None:
            record = self.world.retail.get("orders", spec.order_id) or {"items": []}
            products = sorted({str(item["product_id"]) for item in record["items"]})
        event = OrderEvent(
            id=step.id,
            at=step.at,
            order_id=spec.order_id,
            status=spec.status,
            product_ids=products,
        )
        thread = thread_for(event, merchant_id=self.merchant)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, self._config(thread))
        spikes = out.get("report", {}).get("refund_spikes") or []
        detail = f"order {spec.order_id} {spec.status}"
        if spikes:
            detail += f"; refund spike on {', '.join(spikes)}"
        return _Outcome("done", detail, thread, {"refund_spikes": spikes})

    def _audit(self, step: Step, spec: AuditTickSpec) -> _Outcome:
        event = AuditTick(id=step.id, at=step.at, listing_ids=spec.listing_ids)
        thread = thread_for(event, merchant_id=self.merchant)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, self._config(thread))
        kept = self.memory.store.get(audits_namespace(self.merchant), step.id)
        audited = kept.value["listings"] if kept is not None else []
        self.log.audits.append(audited)
        defective = [x for x in audited if x["codes"]]
        detail = f"{len(audited)} listings audited, {len(defective)} with defects"
        outcome = "approval_waiting" if out.get("__interrupt__") else "done"
        return _Outcome(
            outcome, detail, thread, {"defective": [x["listing_id"] for x in defective]}
        )

    def _review(self, step: Step) -> _Outcome:
        event = BudgetReviewTick(id=step.id, at=step.at)
        thread = thread_for(event, merchant_id=self.merchant)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, self._config(thread))
        kept = self.memory.store.get(reviews_namespace(self.merchant), step.id)
        report = dict(kept.value) if kept is not None else {}
        self.log.reviews.append(report)
        first = str(report.get("explanation", "")).splitlines()[:1]
        detail = first[0] if first else "no campaign to plan"
        outcome = "approval_waiting" if out.get("__interrupt__") else "done"
        return _Outcome(outcome, detail, thread, {"paused": report.get("paused", [])})

    def _select(self, selector: ApprovalSelector) -> list[ApprovalRecord]:
        found = [
            r
            for r in self.queue().pending()
            if (selector.action is None or r.request.action == selector.action)
            and (selector.requested_by is None or r.request.requested_by == selector.requested_by)
            and (selector.id_matches is None or re.search(selector.id_matches, r.request.id))
        ]
        if selector.pick == "all" or not found:
            return found
        return [found[-1] if selector.pick == "latest" else found[0]]

    def _decide(self, step: Step, spec: HumanDecisionSpec) -> _Outcome:
        chosen = self._select(spec.approval)
        if not chosen:
            wanted = spec.approval.model_dump(exclude_none=True)
            status = "error" if spec.required else "done"
            return _Outcome(status, f"no pending approval matches {wanted}")
        decided: list[str] = []
        thread = chosen[0].thread_id
        while chosen:
            record = chosen.pop(0)
            if record.request.id in decided:
                continue
            number = len(decided)
            decision = Decision(
                id=f"{step.id}:{number}",
                request_id=record.request.id,
                interrupt_id=record.interrupt_id,
                action_hash=record.request.action_hash,
                verdict=spec.verdict,
                by=spec.by,
                at=step.at,
                payload=spec.payload,
                note=spec.note,
            )
            send_event(
                self.crew,
                HumanDecision(id=f"{step.id}:{number}", at=step.at, decision=decision),
                merchant_id=self.merchant,
                clock=self.clock,
            )
            decided.append(record.request.id)
            if not chosen and spec.approval.pick == "all":
                # A thread asks its next proposal only once the previous one is decided.
                chosen = [r for r in self._select(spec.approval) if r.request.id not in decided]
        outcome = "rejected" if spec.verdict == "reject" else "approved"
        return _Outcome(outcome, f"{outcome} by {spec.by}: {', '.join(decided)}", thread)

    def _reply(self, step: Step, spec: HumanReplySpec) -> _Outcome:
        conv = self.log.conversations.get(spec.conversation)
        if conv is None or not conv.waiting_person:
            return _Outcome("error", f"conversation {spec.conversation} waits for no person")
        config = self._config(conv.thread_id)
        self.crew.invoke(Command(resume={"reply": spec.text, "status": spec.status}), config)
        messages, waiting = self._messages(config)
        new = summarise_messages(messages[conv.seen :])
        conv.seen = len(messages)
        conv.absorb(step.id, new)
        conv.waiting_person = waiting
        conv.human_replies += 1
        return _Outcome("done", f"{spec.by} answered {spec.conversation}", conv.thread_id, new)

    def _edit(self, step: Step, spec: ListingEditSpec) -> _Outcome:
        self.world.adapters.listings.update_listing(
            spec.listing_id, spec.patch, idempotency_key=f"scenario:{step.id}"
        )
        self.log.listing_edits.add(spec.listing_id)
        changed = ", ".join(sorted(spec.patch.model_dump(exclude_unset=True)))
        return _Outcome("done", f"listing {spec.listing_id} edited: {changed}")

    def _stock(self, step: Step, spec: StockChangeSpec) -> _Outcome:
        self.world.listings.set_stock(
            spec.listing_id, spec.stock, sku=spec.sku, idempotency_key=f"scenario:{step.id}"
        )
        self.memory.blackboard.post(
            StockAlert(
                at=step.at,
                author="warehouse",
                product_id=spec.listing_id,
                item_id=spec.sku,
                level=spec.stock,
            )
        )
        what = spec.sku or "all SKUs"
        return _Outcome("done", f"stock of {spec.listing_id} ({what}) now {spec.stock}")

    def _fault(self, spec: RedisFaultSpec) -> _Outcome:
        if self.redis_url is None:
            return _Outcome("done", f"{spec.fault} skipped: the run is in memory")
        if spec.fault == "restart":
            return _Outcome("done", "restart skipped: the runner did not start this Redis server")
        import redis

        with redis.Redis.from_url(self.redis_url) as admin:
            if spec.fault == "pause":
                admin.execute_command("CLIENT", "PAUSE", spec.ms, "WRITE")
                return _Outcome("fault_injected", f"CLIENT PAUSE {spec.ms} ms (writes)")
            ours = [c["id"] for c in admin.client_list() if c.get("name") == self.namespace]
            for client_id in ours:
                admin.execute_command("CLIENT", "KILL", "ID", client_id)
        return _Outcome("fault_injected", f"CLIENT KILL of our {len(ours)} connections")

    def _restart(self, spec: RestartProcessSpec) -> _Outcome:
        if self.redis_url is not None:
            self.memory.close()
            self.memory = self._connect()
            where = "reconnected to Redis"
        else:
            where = "same in-memory saver and store"
        self.crew = self._build()
        note = f": {spec.note}" if spec.note else ""
        return _Outcome("done", f"new crew ({where}){note}")


def _tally(log: RunLog, runner: _Runner, total: int, done: int) -> dict[str, int]:
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
        redis_url: Run on Redis at this URL; in memory when None.
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
    source = str(path)
    scenario = load_scenario(path)
    chosen_seed = scenario.seed if seed is None else seed
    world = build_world(
        scenario.store, base=Path(path).resolve().parent, source=source, seed=chosen_seed
    )
    steps = expand_timeline(
        scenario, store=world.retail, seed=chosen_seed, source=source, volume=volume
    )
    observer = observer or NullObserver()
    clock = SimClock(scenario.clock.start)
    chat_model = resolve_model(model)
    run_ns = namespace or f"shopcrew-scn-{uuid4().hex[:12]}"
    runner = _Runner(
        scenario, world, model=chat_model, redis_url=redis_url, namespace=run_ns, clock=clock
    )
    budgets_before = effective_budgets(world)
    records: list[dict[str, Any]] = []
    transcript: list[dict[str, Any]] = []
    observer.started(scenario.name, len(steps))
    try:
        for step in steps:
            clock.now = step.at
            began = time.perf_counter()
            try:
                outcome = runner.play(step)
            except (ShopcrewError, ValueError, KeyError, OSError) as exc:
                logger.warning("event %s failed: %s", step.id, exc)
                outcome = _Outcome("error", f"{type(exc).__name__}: {exc}")
            latency = (time.perf_counter() - began) * 1000
            record = _record(step, outcome, latency)
            records.append(record)
            runner.log.count(step, outcome.outcome)
            transcript.append(_transcript_line(step, outcome, record))
            observer.event_done(record, _tally(runner.log, runner, len(steps), len(records)))
        thread_messages = {
            cid: runner.messages_of(conv.thread_id)
            for cid, conv in runner.log.conversations.items()
        }
        report = build_report(
            scenario,
            runner.log,
            world=world,
            queue=runner.queue(),
            records=records,
            budgets_before=budgets_before,
            usage=runner.recorder,
            thread_messages=thread_messages,
            meta={
                "name": scenario.name,
                "title": scenario.title,
                "description": scenario.description,
                "file": source,
                "seed": chosen_seed,
                "volume": volume,
                "model": model if isinstance(model, str) else type(model).__name__,
                "memory": "redis" if redis_url else "in-memory",
                "started_at": started_at.isoformat(timespec="seconds"),
                "simulated_start": scenario.clock.start.isoformat(),
                "simulated_end": clock.now.isoformat(),
            },
        )
    finally:
        runner.close()
        if redis_url is not None and not keep_memory:
            _delete_namespace(redis_url, run_ns)
    report["scenario"]["duration_s"] = round(time.perf_counter() - started, 3)
    if redis_url is not None:
        report["scenario"]["redis_namespace"] = run_ns if keep_memory else None
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        _write(report, transcript, out, write_markdown=write_markdown)
    observer.finished(report)
    return RunResult(report=report, out_dir=out, passed=bool(report["passed"]))


def _record(step: Step, outcome: _Outcome, latency: float) -> dict[str, Any]:
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


def _transcript_line(step: Step, outcome: _Outcome, record: Mapping[str, Any]) -> dict[str, Any]:
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
