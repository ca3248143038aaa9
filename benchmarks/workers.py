"""Load and fault benchmark of `shopcrew worker` processes on Redis Streams (JSON output).

Runs, each on a fresh namespace with the same workload (rules model; cancellation and
order-status conversations plus order events, interleaved):

- `workers_1`, `workers_2`, `workers_4`: 1, 2 and 4 worker processes on the local Redis;
- `kill_2`: 2 workers, one of them SIGKILLed at random moments and restarted (the next kill
  only once the restarted worker serves);
- `aof_2`: 2 workers on a spawned redis-server (AOF, appendfsync always), no faults: the
  baseline of `redis_restart_2`, on the same server settings;
- `redis_restart_2`: 2 workers on such a server, killed and restarted at random moments.
Faults start once a fifth of the events are done; a fault run without a fault is not `ok`.
- `round_trips`: one worker in this process over the first events of the workload: the
  worker loop's own commands per event (its client counts them by command; reading new
  entries apart), and `per_event_all_connections`, every request any connection of the
  process sent (loop, saver, store, blackboard, adapters, ledger), per event.

Each run reports events processed, lost (enqueued, never acknowledged nor dead-lettered),
dead-lettered, duplicate acknowledgements, duplicated side effects (effect records applied
twice, and orders cancelled more than once), conversations out of order, throughput and
p95 latencies, with ratios against `workers_1` of the same invocation. The machine's cores
bound the speed-up (`cpu_count` is in the output).

    python benchmarks/workers.py [--quick] [--redis redis://127.0.0.1:6379/0] [--out FILE]
    python benchmarks/workers.py --scaling 3 [--conversations 60]   # 1 vs 2 workers, alternating

`--scaling REPS` runs only 1 and 2 worker processes on customer messages (cancellation and
order-status conversations), alternating, the first one rotating, each repetition reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from langchain_core.messages import HumanMessage
from redis import Redis

from shopcrew.graphs.events import CustomerMessage, OrderEvent
from shopcrew.memory import RedisSaver
from shopcrew.models import resolve_model
from shopcrew.scenario.redis_server import SpawnedRedis
from shopcrew.tools.adapters import REFERENCE_STORE_DIR
from shopcrew.workers import EventQueue, Worker, WorkerSettings, open_lane

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_support import RoundTrips

MERCHANT = "bench"
SHOPCREW = str(Path(sys.executable).parent / "shopcrew")
TIMING_MS = 3000


@dataclass
class Workload:
    events: list[Any]
    conversations: dict[str, list[str]]
    """Conversation id -> its message texts in order."""
    cancels: list[str]
    """Orders the workload cancels, one each."""


def build_workload(*, cancel_convs: int, status_convs: int, order_events: int) -> Workload:
    db = REFERENCE_STORE_DIR
    orders = json.loads((db / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((db / "users.json").read_text(encoding="utf-8"))
    pending, seen = [], set()
    for order in orders.values():
        if order["status"] == "pending" and order["user_id"] not in seen:
            seen.add(order["user_id"])
            pending.append(order)
    others = [o for o in orders.values() if o["user_id"] not in seen]
    rng = random.Random(7)
    threads: list[list[Any]] = []
    conversations: dict[str, list[str]] = {}
    for n, order in enumerate(pending[:cancel_convs]):
        email = users[order["user_id"]]["email"]
        texts = [
            f"Hi, my email is {email}. Please cancel order {order['order_id']}, "
            "I ordered it by mistake.",
            "yes",
        ]
        conversations[f"cancel-{n}"] = texts
    for n, order in enumerate(others[:status_convs]):
        email = users[order["user_id"]]["email"]
        texts = [
            f"Hi, I am {email}",
            f"What is the status of order {order['order_id']}?",
            "Thanks!",
        ]
        conversations[f"status-{n}"] = texts
    for conv, texts in conversations.items():
        threads.append([CustomerMessage(conversation_id=conv, text=t) for t in texts])
    statuses = ["paid", "shipped", "delivered", "refund_requested"]
    for _ in range(order_events):
        order = rng.choice(list(orders.values()))
        threads.append(
            [
                OrderEvent(
                    order_id=order["order_id"],
                    status=rng.choice(statuses),
                    product_ids=[i["product_id"] for i in order["items"]],
                )
            ]
        )
    # Interleave: each round takes the next event of every thread still holding one.
    rng.shuffle(threads)
    events: list[Any] = []
    while threads:
        events += [t.pop(0) for t in threads]
        threads = [t for t in threads if t]
    cancels = [o["order_id"] for o in pending[:cancel_convs]]
    return Workload(events, conversations, cancels)


class RedisServer(SpawnedRedis):
    """The scenario runner's private redis-server (AOF, appendfsync always), killable outright."""

    def kill(self) -> None:
        """SIGKILL: a crash, not a shutdown; the append-only file keeps every acknowledged write."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@dataclass
class Pool:
    url: str
    namespace: str
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def spawn(self) -> subprocess.Popen[bytes]:
        with self.lock:
            self.started += 1
            log = (self.logs / f"{self.namespace}-{self.started}.log").open("wb")
        proc = subprocess.Popen(
            [
                SHOPCREW,
                "worker",
                "--redis",
                self.url,
                "--merchant",
                MERCHANT,
                "--namespace",
                self.namespace,
                "--consumer",
                f"w{self.started}",
                "--min-idle-ms",
                str(TIMING_MS),
                "--lease-ms",
                str(TIMING_MS),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "400"},  # one log record per line
        )
        return proc

    def stop_all(self) -> list[int | None]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=120))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(None)
        return codes


def _wait_ready(pool: Pool, timeout: float = 300) -> None:
    """Wait until every worker logged that it serves (its crew is built, it starts reading)."""
    deadline = time.monotonic() + timeout
    while True:
        logs = sorted(pool.logs.glob(f"{pool.namespace}-*.log"))
        ready = sum("serving" in p.read_text(errors="replace") for p in logs)
        if ready >= len(pool.procs):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers did not start; see {pool.logs}")
        time.sleep(0.1)


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    name: str,
    workload: Workload,
    *,
    url: str,
    workers: int,
    logs: Path,
    chaos: str | None = None,
    server: RedisServer | None = None,
    chaos_every: tuple[float, float] = (3.0, 8.0),
    timeout: float = 420,
) -> dict[str, Any]:
    namespace = f"bench-{name}-{uuid4().hex[:6]}"
    client = Redis.from_url(url, socket_timeout=10)
    queue = EventQueue(client, merchant_id=MERCHANT, namespace=namespace)
    client.xgroup_create(queue.keys.stream, "crew", id="0", mkstream=True)
    pool = Pool(url, namespace, logs)
    pool.procs = [pool.spawn() for _ in range(workers)]
    _wait_ready(pool)
    total = len(workload.events)
    stop = threading.Event()
    faults: list[float] = []
    start = time.monotonic()

    def progress() -> int:
        try:
            return int(client.xlen(queue.keys.done)) + int(client.xlen(queue.keys.dead))
        except Exception:
            return 0

    def chaos_loop() -> None:
        rng = random.Random(11)
        # The first fault once a fifth of the events are done: a short run gets one too.
        while progress() < total // 5 and not stop.wait(0.05):
            pass
        wait = 0.0
        while not stop.wait(wait):
            wait = rng.uniform(*chaos_every)
            if chaos == "kill":
                index = rng.randrange(len(pool.procs))
                victim = pool.procs[index]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                pool.procs[index] = pool.spawn()
                # The next kill waits for the new worker to serve: under load a worker takes
                # longer to start than the interval between kills, and would never run.
                log = pool.logs / f"{pool.namespace}-{pool.started}.log"
                while not stop.wait(0.1) and "serving" not in log.read_text(errors="replace"):
                    pass
            elif chaos == "redis" and server is not None:
                server.kill()
                time.sleep(rng.uniform(0.2, 1.0))
                server.start()
            faults.append(round(time.monotonic() - start, 2))

    sent = [queue.enqueue(e) for e in workload.events]
    enqueued_s = time.monotonic() - start
    chaos_thread = threading.Thread(target=chaos_loop, daemon=True) if chaos else None
    if chaos_thread is not None:
        chaos_thread.start()
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        try:
            done = int(client.xlen(queue.keys.done)) + int(client.xlen(queue.keys.dead))
        except Exception:
            time.sleep(0.2)
            continue
        if done >= total:
            break
        time.sleep(0.2)
    stop.set()
    if chaos_thread is not None:
        chaos_thread.join()
    elapsed = time.monotonic() - start
    exit_codes = pool.stop_all()

    processed = queue.processed()
    dead = queue.dead_letters()
    effects = queue.effects()
    ids = {e.id for e in workload.events}
    acked = Counter(p.event_id for p in processed)
    dead_ids = {json.loads(d.event).get("id") for d in dead if d.event.startswith("{")}
    lost = ids - set(acked) - dead_ids
    effect_keys = Counter(e["key"] for e in effects)
    cancels = Counter(
        t.split(":", 1)[1]
        for e in effects
        if e["op"] == "cancel_order"
        for t in e["targets"].split(",")
        if t.startswith("orders:")
    )
    first_ms = int(sent[0].split("-")[0])
    last_ms = max((p.at_ms for p in processed), default=first_ms)
    out_of_order = _conversations_out_of_order(url, namespace, workload)
    text = "".join(p.read_text(errors="replace") for p in logs.glob(f"{namespace}-*.log"))
    result = {
        "workers": workers,
        "chaos": chaos,
        "faults_injected_at_s": faults,
        "events": total,
        "processed": len(acked),
        "lost": len(lost),
        "timed_out": done < total,
        "dead_lettered": len(dead),
        "duplicate_acks": sum(n - 1 for n in acked.values()),
        "duplicated_side_effects": sum(n - 1 for n in effect_keys.values())
        + sum(n - 1 for n in cancels.values()),
        "orders_cancelled": len(cancels),
        "orders_expected_cancelled": len(workload.cancels),
        "conversations_out_of_order": out_of_order,
        "enqueue_s": round(enqueued_s, 2),
        "elapsed_s": round(elapsed, 2),
        "throughput_eps": round(len(acked) / max((last_ms - first_ms) / 1000, 1e-9), 1),
        "p50_latency_ms": _p([p.latency_ms for p in processed], 0.5),
        "p95_latency_ms": _p([p.latency_ms for p in processed], 0.95),
        "p95_run_ms": _p([p.run_ms for p in processed], 0.95),
        "p50_run_ms": _p([p.run_ms for p in processed], 0.5),
        "worker_processes_started": pool.started,
        "entries_taken_over": sum(
            int(line.split("claimed ")[1].split()[0])
            for line in text.splitlines()
            if "claimed " in line and "stale entries" in line
        ),
        "runs_resumed_from_checkpoint": text.count("resuming from checkpoint"),
        "effects_found_already_applied": text.count("already applied"),
        "redis_outages_seen_by_workers": text.count("Redis unavailable"),
        "exit_codes": exit_codes,
    }
    if server is None:
        for key in client.scan_iter(f"*{namespace}*", count=1000):
            client.delete(key)
    client.close()
    return result


def _conversations_out_of_order(url: str, namespace: str, workload: Workload) -> int:
    bad = 0
    with RedisSaver.from_url(url, namespace=f"{namespace}:{MERCHANT}") as saver:
        for conv, texts in workload.conversations.items():
            config: Any = {"configurable": {"thread_id": f"{MERCHANT}:cs:{conv}"}}
            found = saver.get_tuple(config)
            messages = found.checkpoint["channel_values"]["messages"] if found else []
            humans = [m.text for m in messages if isinstance(m, HumanMessage)]
            bad += humans != texts
    return bad


class CountingRedis(Redis):
    """A Redis client that counts the commands it sends (scripts by their SHA)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: Counter[str] = Counter()

    def execute_command(self, *args: Any, **options: Any) -> Any:
        name = str(args[0]).upper()
        self.sent[f"EVALSHA {args[1]}" if name == "EVALSHA" else name] += 1
        return super().execute_command(*args, **options)


_NOT_PER_EVENT = {"XREADGROUP", "XAUTOCLAIM", "XGROUP CREATE", "SCRIPT LOAD"}
"""Reads of new entries, claims and one-off setup: not the cost of running one event."""


def round_trips(url: str, workload: Workload, *, events: int) -> dict[str, Any]:
    """The worker loop's own Redis round trips per event, by command, on `events` events."""
    namespace = f"bench-{uuid4().hex[:8]}"
    lane = open_lane(url, model=resolve_model("rules"), merchant_id=MERCHANT, namespace=namespace)
    counting = CountingRedis.from_url(url)
    producer = Redis.from_url(url)
    try:
        queue = EventQueue(producer, merchant_id=MERCHANT, namespace=namespace)
        for event in workload.events[:events]:
            queue.enqueue(event)
        # Long lease and idle times: no heartbeat fires during the run.
        settings = WorkerSettings(min_idle_ms=600_000, lease_ms=600_000, block_ms=50)
        worker = Worker(counting, [lane], settings=settings)
        scripts = {
            f"EVALSHA {script.sha}": name.strip("_")
            for name, script in vars(worker).items()
            if hasattr(script, "sha") and hasattr(script, "registered_client")
        }
        RoundTrips.install()
        before = RoundTrips.count
        stats = worker.run(max_events=events)
        every_connection = RoundTrips.count - before
        done = stats.processed + stats.dead_lettered
        sent = {scripts.get(k, k): v for k, v in sorted(counting.sent.items())}
        loop = {k: v for k, v in sent.items() if k not in _NOT_PER_EVENT}
        return {
            "events": done,
            "per_event": round(sum(loop.values()) / max(done, 1), 2),
            "per_event_all_connections": round(every_connection / max(done, 1), 2),
            "by_command": {k: round(v / max(done, 1), 2) for k, v in sent.items()},
        }
    finally:
        lane.close()
        counting.close()
        for key in producer.scan_iter(f"*{namespace}*", count=1000):
            producer.delete(key)
        producer.close()


def scaling(url: str, *, reps: int, conversations: int) -> dict[str, Any]:
    """1 and 2 workers on customer messages only, alternating, the first one rotating."""
    workload = build_workload(
        cancel_convs=conversations, status_convs=conversations, order_events=0
    )
    logs = Path(tempfile.mkdtemp(prefix="shopcrew-bench-logs-"))
    rows: list[dict[str, Any]] = []
    for rep in range(reps):
        order = [1, 2] if rep % 2 == 0 else [2, 1]
        row: dict[str, Any] = {"loadavg_before": [round(x, 2) for x in os.getloadavg()]}
        for n in order:
            print(f"scaling rep {rep + 1}: {n} worker(s)...", file=sys.stderr, flush=True)
            result = run(f"scale{n}", workload, url=url, workers=n, logs=logs)
            row[f"workers_{n}"] = {
                k: result[k] for k in ("throughput_eps", "processed", "lost", "p50_run_ms")
            }
        row["ratio"] = round(
            row["workers_2"]["throughput_eps"] / row["workers_1"]["throughput_eps"], 2
        )
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    ratios = sorted(r["ratio"] for r in rows)
    return {
        "benchmark": "workers scaling (customer messages only, rules model)",
        "events": len(workload.events),
        "conversations": len(workload.conversations),
        "cpu_count": os.cpu_count(),
        "repetitions": rows,
        "median_ratio_2_vs_1": ratios[len(ratios) // 2],
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="A small run (about a minute).")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--out", type=Path, help="Also write the JSON here.")
    parser.add_argument(
        "--scaling",
        type=int,
        metavar="REPS",
        help="Only 1 vs 2 workers on customer messages, alternating, REPS repetitions.",
    )
    parser.add_argument(
        "--conversations", type=int, default=60, help="With --scaling: conversations of each kind."
    )
    args = parser.parse_args()
    if args.scaling:
        text = json.dumps(
            scaling(args.redis, reps=args.scaling, conversations=args.conversations), indent=2
        )
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        return
    if args.quick:
        workload = build_workload(cancel_convs=10, status_convs=10, order_events=40)
        every = (5.0, 10.0)
        plan = [
            ("workers_1", 1, None),
            ("workers_2", 2, None),
            ("kill_2", 2, "kill"),
            ("aof_2", 2, "aof"),
            ("redis_restart_2", 2, "redis"),
        ]
    else:
        workload = build_workload(cancel_convs=100, status_convs=100, order_events=1000)
        every = (8.0, 16.0)
        plan = [
            ("workers_1", 1, None),
            ("workers_2", 2, None),
            ("workers_4", 4, None),
            ("kill_2", 2, "kill"),
            ("aof_2", 2, "aof"),
            ("redis_restart_2", 2, "redis"),
        ]
    logs = Path(tempfile.mkdtemp(prefix="shopcrew-bench-logs-"))
    results: dict[str, Any] = {}
    for name, n, chaos in plan:
        print(f"running {name}...", file=sys.stderr, flush=True)
        if chaos in ("redis", "aof"):
            server = RedisServer()
            server.start()
            try:
                results[name] = run(
                    name,
                    workload,
                    url=server.url,
                    workers=n,
                    logs=logs,
                    chaos=chaos if chaos == "redis" else None,
                    server=server,
                    chaos_every=every,
                )
            finally:
                server.close()
        else:
            results[name] = run(
                name, workload, url=args.redis, workers=n, logs=logs, chaos=chaos, chaos_every=every
            )
        print(json.dumps(results[name]), file=sys.stderr, flush=True)
    print("counting round trips...", file=sys.stderr, flush=True)
    trips = round_trips(args.redis, workload, events=min(len(workload.events), 60))
    base = results["workers_1"]
    # The restarted server runs with AOF and fsync always: its baseline is the same server
    # without restarts, not the local Redis.
    aof = results["aof_2"]
    results["redis_restart_2"]["throughput_vs_same_server_without_restarts"] = round(
        results["redis_restart_2"]["throughput_eps"] / aof["throughput_eps"], 2
    )
    for result in results.values():
        result["throughput_vs_1_worker"] = round(
            result["throughput_eps"] / base["throughput_eps"], 2
        )
        if result["p95_latency_ms"] and base["p95_latency_ms"]:
            result["p95_latency_vs_1_worker"] = round(
                result["p95_latency_ms"] / base["p95_latency_ms"], 2
            )
        if result["p95_run_ms"] and base["p95_run_ms"]:
            result["p95_run_vs_1_worker"] = round(result["p95_run_ms"] / base["p95_run_ms"], 2)
    report = {
        "benchmark": "workers",
        "quick": args.quick,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "model": "rules",
        "events": len(workload.events),
        "conversations": len(workload.conversations),
        "threads": len(workload.conversations)
        + sum(isinstance(e, OrderEvent) for e in workload.events),
        "timing_ms": {"min_idle": TIMING_MS, "lease": TIMING_MS},
        "worker_logs": str(logs),
        "runs": results,
        "round_trips": trips,
        "ok": all(
            (r["chaos"] is None or bool(r["faults_injected_at_s"]))
            and r["lost"] == 0
            and r["duplicated_side_effects"] == 0
            and r["duplicate_acks"] == 0
            and r["conversations_out_of_order"] == 0
            for r in results.values()
        ),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
