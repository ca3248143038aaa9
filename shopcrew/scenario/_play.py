"""Playing one event: the run's memory, crew and clock, and what each kind of event does."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from shopcrew.agents.approvals.queue import ApprovalQueue, ApprovalRecord, Decision
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.demand import plans_namespace
from shopcrew.graphs.events import (
    AuditTick,
    BudgetReviewTick,
    CustomerMessage,
    HumanDecision,
    OrderEvent,
    PlanningTick,
    thread_for,
)
from shopcrew.memory import Memory, StockAlert, connect
from shopcrew.memory.namespaces import audits_namespace, reviews_namespace
from shopcrew.models.usage import UsageRecorder
from shopcrew.scenario.analysis import RunLog
from shopcrew.scenario.redis_server import SpawnedRedis
from shopcrew.scenario.spec import (
    ApprovalSelector,
    AuditTickSpec,
    BudgetReviewSpec,
    CustomerMessageSpec,
    HumanDecisionSpec,
    HumanReplySpec,
    ListingEditSpec,
    OrderEventSpec,
    PlanningTickSpec,
    RedisFaultSpec,
    RestartProcessSpec,
    Scenario,
    StockChangeSpec,
)
from shopcrew.scenario.timeline import Step
from shopcrew.scenario.transcript import summarise_messages
from shopcrew.scenario.violations import check_writes
from shopcrew.scenario.world import World, set_order_status

__all__ = ["Outcome", "Runner", "SimClock"]

logger = logging.getLogger(__name__)

_RECURSION_LIMIT = 100


class SimClock:
    """The simulated clock the crew is built with; the engine moves it event by event."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        """The simulated now."""
        return self.now


@dataclass
class Outcome:
    """What one event produced, for its record and transcript line."""

    outcome: str
    detail: str = ""
    thread_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Runner:
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
        server: SpawnedRedis | None = None,
    ) -> None:
        self.scenario, self.world, self.model = scenario, world, model
        self.redis_url, self.namespace, self.clock = redis_url, namespace, clock
        self.server = server
        self.merchant = scenario.store.merchant_id
        self.owners = {k: str(o["user_id"]) for k, o in world.original.items("orders")}
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
            adapters=replace(self.world.adapters, demand=self.world.demand),
            merchant_id=self.merchant,
            policy=self.scenario.policy,
            blackboard=self.memory.blackboard,
            clock=self.clock,
            shopping_guide=self.scenario.shopping_guide,
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

    def play(self, step: Step) -> Outcome:
        spec = step.spec
        if isinstance(spec, CustomerMessageSpec):
            return self._customer(step, spec)
        if isinstance(spec, OrderEventSpec):
            return self._order(step, spec)
        if isinstance(spec, AuditTickSpec):
            return self._audit(step, spec)
        if isinstance(spec, BudgetReviewSpec):
            return self._review(step)
        if isinstance(spec, PlanningTickSpec):
            return self._plan(step)
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

    def _customer(self, step: Step, spec: CustomerMessageSpec) -> Outcome:
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
            return Outcome("done", "queued for the person handling the conversation", thread)
        config = self._config(thread)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, config)
        messages, waiting = self._messages(config)
        new = summarise_messages(messages[conv.seen :])
        conv.seen = len(messages)
        writes = len(conv.writes)
        conv.absorb(step.id, new)
        if len(conv.writes) > writes:
            # Counted live for the progress display; the report re-checks every conversation.
            conv.problems = len(check_writes(messages, self.owners))
            self.log.live_violations = sum(c.problems for c in self.log.conversations.values())
        interrupts = out.get("__interrupt__") or []
        if interrupts or waiting:
            raw = interrupts[0].value if interrupts else {}
            ticket: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
            conv.escalate(step, ticket)
            reason = conv.reason or "other"
            escalation = {"reason": reason, "summary": str(ticket.get("summary", ""))[:300]}
            extra = {**new, "escalation": escalation}
            return Outcome("escalated", f"transferred to a person ({reason})", thread, extra)
        replies = [r["text"] for r in new["replies"]]
        detail = replies[-1][:120] if replies else "no reply"
        return Outcome("answered", detail, thread, new)

    def _order(self, step: Step, spec: OrderEventSpec) -> Outcome:
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
        return Outcome("done", detail, thread, {"refund_spikes": spikes})

    def _audit(self, step: Step, spec: AuditTickSpec) -> Outcome:
        event = AuditTick(id=step.id, at=step.at, listing_ids=spec.listing_ids)
        thread = thread_for(event, merchant_id=self.merchant)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, self._config(thread))
        kept = self.memory.store.get(audits_namespace(self.merchant), step.id)
        audited = kept.value["listings"] if kept is not None else []
        self.log.audits.append(audited)
        defective = [x for x in audited if x["codes"]]
        detail = f"{len(audited)} listings audited, {len(defective)} with defects"
        outcome = "approval_waiting" if out.get("__interrupt__") else "done"
        extra = {"defective": [x["listing_id"] for x in defective], **self._asked(step)}
        return Outcome(outcome, detail, thread, extra)

    def _review(self, step: Step) -> Outcome:
        event = BudgetReviewTick(id=step.id, at=step.at)
        thread = thread_for(event, merchant_id=self.merchant)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, self._config(thread))
        kept = self.memory.store.get(reviews_namespace(self.merchant), step.id)
        report = dict(kept.value) if kept is not None else {}
        self.log.reviews.append(report)
        first = str(report.get("explanation", "")).splitlines()[:1]
        detail = first[0] if first else "no campaign to plan"
        outcome = "approval_waiting" if out.get("__interrupt__") else "done"
        return Outcome(
            outcome, detail, thread, {"paused": report.get("paused", []), **self._asked(step)}
        )

    def _plan(self, step: Step) -> Outcome:
        event = PlanningTick(id=step.id, at=step.at)
        thread = thread_for(event, merchant_id=self.merchant)
        out = self.crew.invoke({"event": event.model_dump(mode="json")}, self._config(thread))
        kept = self.memory.store.get(plans_namespace(self.merchant), step.id)
        report = dict(kept.value) if kept is not None else {"run_id": step.id}
        self.log.demand_plans.append(report)
        detail = (
            f"{len(report.get('plan', {}))} SKUs planned, stock worth "
            f"{report.get('stock_value', 0):,.0f}; waiting: {', '.join(report.get('waiting', []))}"
        )
        outcome = "approval_waiting" if out.get("__interrupt__") else "done"
        return Outcome(outcome, detail, thread, self._asked(step))

    def _refresh_plans(self) -> None:
        """Re-read the demand plans from the store: approvals place (or drop) their SKUs."""
        for i, report in enumerate(self.log.demand_plans):
            kept = self.memory.store.get(plans_namespace(self.merchant), str(report.get("run_id")))
            if kept is not None:
                self.log.demand_plans[i] = dict(kept.value)

    def _asked(self, step: Step) -> dict[str, Any]:
        """The approval requests an agent run asked so far (ids start with the event id)."""
        asked = [
            {"id": r.request.id, "action": r.request.action, "status": r.status(self.clock())}
            for r in self.queue().records()
            if r.request.id.startswith(f"{step.id}:")
        ]
        return {"approvals": asked} if asked else {}

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

    def _decide(self, step: Step, spec: HumanDecisionSpec) -> Outcome:
        chosen = self._select(spec.approval)
        if not chosen:
            wanted = spec.approval.model_dump(exclude_none=True)
            status = "error" if spec.required else "done"
            return Outcome(status, f"no pending approval matches {wanted}")
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
        self._refresh_plans()
        outcome = "rejected" if spec.verdict == "reject" else "approved"
        return Outcome(outcome, f"{outcome} by {spec.by}: {', '.join(decided)}", thread)

    def _reply(self, step: Step, spec: HumanReplySpec) -> Outcome:
        conv = self.log.conversations.get(spec.conversation)
        if conv is None or not conv.waiting_person:
            return Outcome("error", f"conversation {spec.conversation} waits for no person")
        config = self._config(conv.thread_id)
        self.crew.invoke(Command(resume={"reply": spec.text, "status": spec.status}), config)
        messages, waiting = self._messages(config)
        new = summarise_messages(messages[conv.seen :])
        conv.seen = len(messages)
        conv.absorb(step.id, new)
        conv.waiting_person = waiting
        conv.human_replies += 1
        return Outcome("done", f"{spec.by} answered {spec.conversation}", conv.thread_id, new)

    def _edit(self, step: Step, spec: ListingEditSpec) -> Outcome:
        self.world.adapters.listings.update_listing(
            spec.listing_id, spec.patch, idempotency_key=f"scenario:{step.id}"
        )
        self.log.listing_edits.add(spec.listing_id)
        changed = ", ".join(sorted(spec.patch.model_dump(exclude_unset=True)))
        return Outcome("done", f"listing {spec.listing_id} edited: {changed}")

    def _stock(self, step: Step, spec: StockChangeSpec) -> Outcome:
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
        return Outcome("done", f"stock of {spec.listing_id} ({what}) now {spec.stock}")

    def _fault(self, spec: RedisFaultSpec) -> Outcome:
        if self.redis_url is None:
            return Outcome("done", f"{spec.fault} skipped: the run is in memory")
        if spec.fault == "restart":
            if self.server is None:
                return Outcome(
                    "done", "restart skipped: the runner did not start this Redis server"
                )
            self.server.restart()
            return Outcome("fault_injected", "redis-server restarted (data from its AOF)")
        import redis

        with redis.Redis.from_url(self.redis_url) as admin:
            if spec.fault == "pause":
                admin.execute_command("CLIENT", "PAUSE", spec.ms, "WRITE")
                return Outcome("fault_injected", f"CLIENT PAUSE {spec.ms} ms (writes)")
            ours = [c["id"] for c in admin.client_list() if c.get("name") == self.namespace]
            for client_id in ours:
                admin.execute_command("CLIENT", "KILL", "ID", client_id)
        return Outcome("fault_injected", f"CLIENT KILL of our {len(ours)} connections")

    def _restart(self, spec: RestartProcessSpec) -> Outcome:
        if self.redis_url is not None:
            self.memory.close()
            self.memory = self._connect()
            where = "reconnected to Redis"
        else:
            where = "same in-memory saver and store"
        self.crew = self._build()
        note = f": {spec.note}" if spec.note else ""
        return Outcome("done", f"new crew ({where}){note}")
