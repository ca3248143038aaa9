"""Per event: the flagship scenario's events through the crew, the CS agent alone and a floor.

The customer messages, order events and audit ticks of `scenarios/double11_peak_hour.yaml` (in
timeline order) run through

- **crew**: `build_crew` with the rules model, as `shopcrew run` builds it;
- **cs**: the CS agent alone (`build_cs_agent`), customer messages only;
- **floor**: a bare LangGraph graph (one node looping, `InMemorySaver`) that replays the same
  steps with the same state updates: for a customer message the CS agent's own steps (model,
  tools, complaints), for the other events the crew's top-level steps. It is what LangGraph
  itself costs for the same checkpoints and messages, with no model, tools or store.

Every event runs through every system in turn, in one process, the first system rotating
from one event to the next; the first pass (fresh systems) is a warm-up that also records
what the floor replays. Each repetition then starts from fresh systems and worlds. The rules
model's text caches (`understand`, `read_act`, the splitters) are cleared before each timed
customer message and the model then reads the thread's earlier conversation, untimed: each
system parses the new message itself, as a process running only that system would, and
finds the earlier ones parsed, as that process would.

With `--redis`, the crew and the CS agent run on `RedisSaver`/`RedisStore`/`RedisBlackboard`
of a private `redis-server` (the floor stays in memory) and every request any connection of
the process sends is counted per event.

    python benchmarks/events.py                  # in memory and on Redis, 3 repetitions
    python benchmarks/events.py --quick          # 60 customer messages, 1 repetition
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from uuid import uuid4

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from shopcrew.agents.cs.rules import acts, nlu, questions, segments
from shopcrew.graphs.crew import CrewState, build_crew
from shopcrew.graphs.cs import build_cs_agent
from shopcrew.graphs.events import AuditTick, CustomerMessage, OrderEvent, thread_for
from shopcrew.memory import Memory, connect
from shopcrew.models.factory import resolve_model
from shopcrew.scenario.engine import SimClock
from shopcrew.scenario.loader import load_scenario
from shopcrew.scenario.spec import AuditTickSpec, CustomerMessageSpec, OrderEventSpec, Scenario
from shopcrew.scenario.timeline import Step, expand_timeline
from shopcrew.scenario.world import World, build_world, set_order_status

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_support import PrivateRedis, RoundTrips, machine

FLAGSHIP = Path(__file__).resolve().parents[1] / "scenarios" / "double11_peak_hour.yaml"
KINDS = {CustomerMessageSpec: "cs_message", OrderEventSpec: "order_event", AuditTickSpec: "audit"}
Update = dict[str, Any]


def _clear_text_caches() -> None:
    for cached in (
        nlu.understand,
        acts.read_act,
        questions.split_questions,
        segments.split_requests,
        segments.split_addition,
    ):
        getattr(cached, "cache_clear", lambda: None)()  # before issue 18 `understand` had none


@dataclass
class _Replay:
    """The floor: one node that returns the recorded updates of an event, one step each."""

    script: list[Update] = field(default_factory=list)

    def step(self, state: CrewState) -> Update:
        return self.script.pop(0)

    def more(self, state: CrewState) -> str:
        return "step" if self.script else END

    def graph(self) -> CompiledStateGraph[Any, Any, Any, Any]:
        builder = StateGraph(CrewState)
        builder.add_node("step", self.step)
        builder.add_edge(START, "step")
        builder.add_conditional_edges("step", self.more, ["step", END])
        return builder.compile(checkpointer=InMemorySaver())


def _updates(chunks: Iterable[dict[str, Any]]) -> list[Update]:
    """Each step's update, in order (an interrupt is no step)."""
    return [
        dict(update or {})
        for chunk in chunks
        for node, update in chunk.items()
        if node != "__interrupt__"
    ]


class _Systems:
    """One repetition's crew, CS agent and floor, each on its own world and memory."""

    def __init__(self, scenario: Scenario, base: Path, seed: int, redis_url: str | None) -> None:
        self.scenario, self.merchant = scenario, scenario.store.merchant_id
        self.clock = SimClock(scenario.clock.start)
        self.model = model = resolve_model("rules")
        self.worlds = {name: self._world(base, seed) for name in ("crew", "cs")}
        self.memories = {name: self._memory(redis_url) for name in ("crew", "cs")}
        crew_memory, cs_memory = self.memories["crew"], self.memories["cs"]
        self.crew = build_crew(
            model=model,
            checkpointer=crew_memory.checkpointer,
            store=crew_memory.store,
            adapters=replace(self.worlds["crew"].adapters, demand=self.worlds["crew"].demand),
            merchant_id=self.merchant,
            policy=scenario.policy,
            blackboard=crew_memory.blackboard,
            clock=self.clock,
        )
        policy = scenario.policy
        settings = replace(policy.customer_service, interrupt_on_escalation=False)
        self.cs = build_cs_agent(
            model=model,
            adapters=self.worlds["cs"].adapters,
            checkpointer=cs_memory.checkpointer,
            store=cs_memory.store,
            merchant_id=self.merchant,
            policy=policy.model_copy(update={"customer_service": settings}),
            blackboard=cs_memory.blackboard,
        )
        self.replay = _Replay()
        self.floor = self.replay.graph()

    def _world(self, base: Path, seed: int) -> World:
        return build_world(self.scenario.store, base=base, source=str(FLAGSHIP), seed=seed)

    def _memory(self, url: str | None) -> Memory:
        if url is None:
            return connect("", merchant_id=self.merchant)
        return connect(url, merchant_id=self.merchant, namespace=f"bench-{uuid4().hex[:8]}")

    def close(self) -> None:
        for memory in self.memories.values():
            memory.close()

    def event(self, step: Step, world: World) -> CustomerMessage | OrderEvent | AuditTick:
        spec = step.spec
        if isinstance(spec, CustomerMessageSpec):
            return CustomerMessage(
                id=step.id,
                at=step.at,
                conversation_id=spec.conversation,
                text=spec.text,
                customer_id=spec.customer_id,
            )
        if isinstance(spec, OrderEventSpec):
            if spec.apply_status is not None:
                set_order_status(world.retail, spec.order_id, spec.apply_status)
            products = spec.product_ids
            if products is None:
                record = world.retail.get("orders", spec.order_id) or {"items": []}
                products = sorted({str(item["product_id"]) for item in record["items"]})
            return OrderEvent(
                id=step.id,
                at=step.at,
                order_id=spec.order_id,
                status=spec.status,
                product_ids=products,
            )
        assert isinstance(spec, AuditTickSpec)
        return AuditTick(id=step.id, at=step.at, listing_ids=spec.listing_ids)

    def runs(self, step: Step, recorded: dict[str, list[Update]]) -> dict[str, Callable[[], Any]]:
        """The timed call of each system that takes this event (its inputs prepared)."""
        self.clock.now = step.at
        crew_event = self.event(step, self.worlds["crew"])
        thread = thread_for(crew_event, merchant_id=self.merchant)
        config: Any = {"configurable": {"thread_id": thread}, "recursion_limit": 100}
        crew_input = {"event": crew_event.model_dump(mode="json")}
        calls: dict[str, Callable[[], Any]] = {
            "crew": lambda: self.crew.invoke(crew_input, config),
        }
        if isinstance(crew_event, CustomerMessage):
            self.event(step, self.worlds["cs"])
            cs_input = {"messages": [HumanMessage(crew_event.text, id=crew_event.id)]}
            calls["cs"] = lambda: self.cs.invoke(cs_input, config)
            floor_input: Update = cs_input
        else:
            floor_input = crew_input
        script = recorded.get(step.id)
        if script is not None:

            def floor() -> Any:
                self.replay.script = list(script)
                return self.floor.invoke(floor_input, config)

            calls["floor"] = floor
        return calls

    def warm(self, name: str, step: Step) -> None:
        """As a process that ran this conversation so far: its earlier messages are parsed.

        The text caches are cleared, then the model reads the thread's conversation up to
        this event (untimed), so the timed call parses the new message alone.
        """
        _clear_text_caches()
        graph = {"crew": self.crew, "cs": self.cs}.get(name)
        if graph is None or not isinstance(step.spec, CustomerMessageSpec):
            return
        config: Any = {"configurable": {"thread_id": _thread(self.merchant, step)}}
        history = graph.get_state(config).values.get("messages", [])
        if history:
            self.model.invoke(history)

    def record(self, step: Step, recorded: dict[str, list[Update]]) -> bool:
        """Warm-up: run the event through crew and CS agent, keep the floor's script.

        Returns whether the crew now waits for a person on this conversation.
        """
        self.clock.now = step.at
        crew_event = self.event(step, self.worlds["crew"])
        thread = thread_for(crew_event, merchant_id=self.merchant)
        config: Any = {"configurable": {"thread_id": thread}, "recursion_limit": 100}
        crew_input = {"event": crew_event.model_dump(mode="json")}
        if isinstance(crew_event, CustomerMessage):
            self.event(step, self.worlds["cs"])
            cs_input = {"messages": [HumanMessage(crew_event.text, id=crew_event.id)]}
            recorded[step.id] = _updates(self.cs.stream(cs_input, config, stream_mode="updates"))
            return bool(self.crew.invoke(crew_input, config).get("__interrupt__"))
        chunks = self.crew.stream(crew_input, config, stream_mode="updates")
        recorded[step.id] = _updates(chunks)
        return False


def _thread(merchant: str, step: Step) -> str:
    assert isinstance(step.spec, CustomerMessageSpec)
    return f"{merchant}:cs:{step.spec.conversation}"


def _steps(limit: int | None) -> tuple[Scenario, list[Step]]:
    scenario = load_scenario(FLAGSHIP)
    world = build_world(scenario.store, base=FLAGSHIP.parent, source=str(FLAGSHIP), seed=11)
    steps = expand_timeline(scenario, store=world.retail, seed=11, source=str(FLAGSHIP))
    chosen = [s for s in steps if type(s.spec) in KINDS]
    if limit is None:
        return scenario, chosen
    messages = [s.id for s in chosen if isinstance(s.spec, CustomerMessageSpec)][:limit]
    kept = set(messages)
    return scenario, [s for s in chosen if s.id in kept or s.spec.kind != "customer_message"]


def _warm_up(scenario: Scenario, steps: list[Step], url: str | None) -> tuple[dict, set[str]]:
    """Record the floor's scripts and the conversations handed to a person (skipped later)."""
    systems = _Systems(scenario, FLAGSHIP.parent, 11, url)
    recorded: dict[str, list[Update]] = {}
    waiting: set[str] = set()
    skipped: set[str] = set()
    for step in steps:
        spec = step.spec
        if isinstance(spec, CustomerMessageSpec) and spec.conversation in waiting:
            skipped.add(step.id)
            continue
        if systems.record(step, recorded) and isinstance(spec, CustomerMessageSpec):
            waiting.add(spec.conversation)
    systems.close()
    return recorded, skipped


def _repetition(
    scenario: Scenario,
    steps: list[Step],
    recorded: dict[str, list[Update]],
    url: str | None,
) -> dict[str, Any]:
    systems = _Systems(scenario, FLAGSHIP.parent, 11, url)
    seconds: dict[tuple[str, str], float] = {}
    trips: dict[tuple[str, str], int] = {}
    counts: dict[str, int] = {}
    for index, step in enumerate(steps):
        kind = KINDS[type(step.spec)]
        counts[kind] = counts.get(kind, 0) + 1
        calls = list(systems.runs(step, recorded).items())
        shift = index % len(calls)
        for name, call in calls[shift:] + calls[:shift]:
            if kind == "cs_message":
                systems.warm(name, step)
            sent = RoundTrips.count
            began = time.perf_counter()
            call()
            took = time.perf_counter() - began
            seconds[name, kind] = seconds.get((name, kind), 0.0) + took
            trips[name, kind] = trips.get((name, kind), 0) + RoundTrips.count - sent
    systems.close()
    return _summary(seconds, trips, counts, redis=url is not None)


def _summary(
    seconds: dict[tuple[str, str], float],
    trips: dict[tuple[str, str], int],
    counts: dict[str, int],
    *,
    redis: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (name, kind), total in sorted(seconds.items()):
        row = out.setdefault(kind, {"events": counts[kind]})
        row[f"{name}_events_per_s"] = round(counts[kind] / total, 1)
        if name != "floor" and (("floor", kind) in seconds):
            row[f"{name}_vs_floor"] = round(total / seconds["floor", kind], 2)
        if redis and name != "floor":
            row[f"{name}_round_trips_per_event"] = round(trips[name, kind] / counts[kind], 1)
    return out


def _mode(scenario: Scenario, steps: list[Step], url: str | None, repeats: int) -> dict[str, Any]:
    recorded, skipped = _warm_up(scenario, steps, url)
    chosen = [s for s in steps if s.id not in skipped]
    reps = [_repetition(scenario, chosen, recorded, url) for _ in range(repeats)]
    medians: dict[str, Any] = {}
    for kind in reps[0]:
        medians[kind] = {
            key: statistics.median(r[kind][key] for r in reps) for key in reps[0][kind]
        }
    return {"skipped_waiting_for_a_person": len(skipped), "repetitions": reps, "median": medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="the first N customer messages (and every other event)",
    )
    parser.add_argument("--quick", action="store_true", help="60 customer messages, 1 repetition")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    repeats, limit = (1, 60) if args.quick else (args.repeats, args.limit)
    RoundTrips.install()
    before = machine(("langgraph", "langgraph-checkpoint", "redis"))
    scenario, steps = _steps(limit)
    result: dict[str, Any] = {"scenario": FLAGSHIP.name, "events": len(steps), "machine": before}
    result["memory"] = _mode(scenario, steps, None, repeats)
    if not args.memory_only:
        server = PrivateRedis()
        try:
            result["redis"] = _mode(scenario, steps, server.url, repeats)
            result["redis"]["server"] = server.version
        finally:
            server.close()
    result["uptime_after"] = machine(())["uptime"]
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
