"""The timeline made concrete: times resolved, conversations split, generators expanded (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

from shopcrew.errors import ScenarioError
from shopcrew.scenario.goal import GoalSpec, fill_goal
from shopcrew.scenario.spec import (
    CLOCK_TIME,
    AuditTickSpec,
    BudgetReviewSpec,
    ConversationSpec,
    CustomerMessageSpec,
    GenerateSpec,
    HumanDecisionSpec,
    HumanReplySpec,
    ListingEditSpec,
    OrderEventSpec,
    PlanningTickSpec,
    RedisFaultSpec,
    RestartProcessSpec,
    Scenario,
    StockChangeSpec,
    Template,
    parse_duration,
)
from shopcrew.tools.reference.store import RetailStore

__all__ = ["Step", "StepSpec", "expand_timeline", "resolve_time"]

StepSpec: TypeAlias = (
    CustomerMessageSpec
    | OrderEventSpec
    | AuditTickSpec
    | BudgetReviewSpec
    | PlanningTickSpec
    | HumanDecisionSpec
    | HumanReplySpec
    | ListingEditSpec
    | StockChangeSpec
    | RedisFaultSpec
    | RestartProcessSpec
)
"""A timeline entry that runs as one event (conversations and generators are split first)."""

AgentLabel = Literal["cs_agent", "store_manager", "planner", "demand_planner", "human", "system"]


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the run, at its simulated time."""

    index: int
    id: str
    at: datetime
    spec: StepSpec
    source: int
    """The timeline entry it came from."""
    template: str | None = None
    """The generator template it was filled from, if any."""
    lang: str | None = None
    goal: GoalSpec | None = None
    """What the customer of its conversation wants (filled from the generator's customer)."""

    @property
    def kind(self) -> str:
        """The event kind, as report.json names it."""
        kind = self.spec.kind
        if kind == "budget_review":
            return "budget_review_tick"
        if kind == "restart_process":
            return "restart"
        return kind

    @property
    def agent(self) -> AgentLabel:
        """Who handles it: an agent, a person, or the system (faults, warehouse)."""
        kind = self.spec.kind
        if kind == "customer_message":
            return "cs_agent"
        if kind in {"order_event", "audit_tick"}:
            return "store_manager"
        if kind == "budget_review":
            return "planner"
        if kind == "planning_tick":
            return "demand_planner"
        if kind in {"human_decision", "human_reply", "listing_edit"}:
            return "human"
        return "system"


def resolve_time(text: str, *, start: datetime, zone: ZoneInfo) -> datetime:
    """An `at` value as an aware time ('HH:MM' on the start day, 'day 2 09:00', ISO)."""
    found = CLOCK_TIME.match(text.strip())
    if found is None:
        return datetime.fromisoformat(text)
    day, hour, minute, second = found.groups()
    local = start.astimezone(zone)
    base = local.replace(hour=int(hour), minute=int(minute), second=int(second or 0), microsecond=0)
    return base + timedelta(days=int(day or 1) - 1)


class _Picker:
    """Fills template placeholders with a customer and one of their orders, seeded."""

    def __init__(self, store: RetailStore, rng: random.Random) -> None:
        self.rng, self.store = rng, store
        self.by_status: dict[str | None, list[str]] = {None: []}
        for order_id, order in store.items("orders"):
            self.by_status.setdefault(str(order["status"]), []).append(order_id)
            self.by_status[None].append(order_id)
        self.used: set[str] = set()

    def fill(
        self, template: Template, source: str, where: str
    ) -> tuple[list[str], GoalSpec | None]:
        pool = self.by_status.get(template.order_status, [])
        if not pool:
            raise ScenarioError(
                source, None, f"no order with status {template.order_status!r}", field=where
            )
        fresh = [order_id for order_id in pool if order_id not in self.used]
        order_id = self.rng.choice(fresh or pool)
        self.used.add(order_id)
        values = self._values(order_id)
        try:
            turns = [turn.format_map(values) for turn in template.turns]
            goal = None if template.goal is None else fill_goal(template.goal, values)
        except KeyError as exc:
            known = ", ".join(sorted(values))
            raise ScenarioError(
                source, None, f"unknown placeholder {exc}; known: {known}", field=where
            ) from None
        return turns, goal

    def _values(self, order_id: str) -> dict[str, Any]:
        order = self.store.get("orders", order_id) or {}
        user = self.store.get("users", str(order.get("user_id"))) or {}
        name = user.get("name", {})
        payments = order.get("payment_history", [])
        total = sum(float(p["amount"]) for p in payments if p["transaction_type"] == "payment")
        return {
            "user_id": order.get("user_id", ""),
            "email": user.get("email", ""),
            "first_name": name.get("first_name", ""),
            "last_name": name.get("last_name", ""),
            "name": f"{name.get('first_name', '')} {name.get('last_name', '')}",
            "zip": user.get("address", {}).get("zip", ""),
            "phone_tail": str(user.get("phone") or "")[-4:],
            "order_id": order_id,
            "order_number": order_id.lstrip("#"),
            "item_name": order["items"][0]["name"] if order.get("items") else "",
            "item_id": order["items"][0]["item_id"] if order.get("items") else "",
            "payment_method_id": payments[0]["payment_method_id"] if payments else "",
            "total": f"{total:.2f}",
            "status": order.get("status", ""),
        }


def _mix(templates: list[Template], count: int, rng: random.Random) -> list[Template]:
    """`count` templates in proportion to their weights (each at least once if room), shuffled."""
    total = sum(t.weight for t in templates)
    shares = [count * t.weight / total for t in templates]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(templates)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: count - sum(counts)]:
        counts[i] += 1
    if count >= len(templates):
        for i, n in enumerate(counts):
            if n == 0:
                counts[counts.index(max(counts))] -= 1
                counts[i] = 1
    mix = [t for t, n in zip(templates, counts, strict=True) for _ in range(n)]
    rng.shuffle(mix)
    return mix


def expand_timeline(
    scenario: Scenario, *, store: RetailStore, seed: int, source: str, volume: float = 1.0
) -> list[Step]:
    """The concrete events in time order (ties keep the file's order).

    `volume` scales every generator's count (at least one conversation each), for quick runs.

    Raises:
        ScenarioError: A generator cannot be filled from the store.
    """
    zone = ZoneInfo(scenario.clock.timezone)
    start = scenario.clock.start
    rng = random.Random(f"timeline:{seed}")
    picker = _Picker(store, rng)
    raw: list[tuple[datetime, int, int, StepSpec, str | None, str | None, GoalSpec | None]] = []
    previous = start
    order = 0
    for position, entry in enumerate(scenario.timeline):
        if entry.at is not None:
            at = resolve_time(entry.at, start=start, zone=zone)
        else:
            at = previous + parse_duration(entry.after or "0s")
        previous = at
        where = f"timeline[{position}]"
        if isinstance(entry, ConversationSpec):
            gap = parse_duration(entry.gap)
            for turn_no, text in enumerate(entry.turns):
                message = CustomerMessageSpec(
                    kind="customer_message",
                    conversation=entry.conversation,
                    text=text,
                    customer_id=entry.customer_id,
                    goal=entry.goal,
                )
                raw.append((at + gap * turn_no, order, position, message, None, None, entry.goal))
                order += 1
        elif isinstance(entry, GenerateSpec):
            window = parse_duration(entry.over)
            gap = parse_duration(entry.gap)
            mix = _mix(entry.templates, max(1, round(entry.count * volume)), rng)
            width = len(str(entry.count))
            for number, template in enumerate(mix):
                turns, goal = picker.fill(template, source, f"{where}.templates.{template.name}")
                begin = at + window * rng.random()
                conversation = f"{entry.prefix}-{number + 1:0{width}d}"
                for turn_no, text in enumerate(turns):
                    message = CustomerMessageSpec(
                        kind="customer_message", conversation=conversation, text=text
                    )
                    when = begin + gap * turn_no
                    raw.append((when, order, position, message, template.name, template.lang, goal))
                    order += 1
        else:
            goal = entry.goal if isinstance(entry, CustomerMessageSpec) else None
            raw.append((at, order, position, entry, None, None, goal))
            order += 1
    raw.sort(key=lambda item: (item[0], item[1]))
    width = max(4, len(str(len(raw))))
    steps = []
    for index, (at, _, position, step_spec, template_name, lang, goal) in enumerate(raw):
        event_id = step_spec.id or f"e{index:0{width}d}"
        steps.append(
            Step(
                index=index,
                id=event_id,
                at=at.astimezone(zone),
                spec=step_spec,
                source=position,
                template=template_name,
                lang=lang,
                goal=goal,
            )
        )
    return steps
