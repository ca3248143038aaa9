"""Cost per call of the retail adapters over MCP (the reference platform on loopback) against
the JSON backend in process, the same calls interleaved one by one in one process.

The platform server is a child process (`python -m shopcrew.tools.mcp.serve_reference`) on a
free loopback port, over the same store. Each repetition times every operation of the mix
`--calls` times on both backends, alternating backend at every call (and which goes first at
every repetition), after a warm-up; the report gives each repetition's per-call times and
MCP/JSON ratios, and their medians.

    python benchmarks/mcp_adapter.py [--calls 200] [--reps 5]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from _bench_support import machine, median_ratio

from shopcrew.data import store_dir
from shopcrew.tools import RetailStore, build_json_adapters
from shopcrew.tools.mcp import build_mcp_adapters
from shopcrew.tools.records.retail import Address

ADDRESS = Address(
    address1="1 Bench St", address2="", city="Austin", country="USA", state="TX", zip="78701"
)
Op = Callable[[Any, int], object]


def _mix(
    store: RetailStore, loop: asyncio.AbstractEventLoop
) -> dict[str, Callable[[tuple[Any, Any, Any], int], object]]:
    orders = [key for key, _ in itertools.islice(store.items("orders"), 0, 1000, 7)]
    users = [key for key, _ in itertools.islice(store.items("users"), 0, 500, 3)]
    emails = [str(store.get("users", u)["email"]) for u in users]  # type: ignore[index]
    products = [key for key, _ in store.items("products")]

    def pick(values: list[str], i: int) -> str:
        return values[i % len(values)]

    return {
        "get_order": lambda a, i: a[1].get_order(pick(orders, i)),
        "get_customer": lambda a, i: a[2].get_customer(pick(users, i)),
        "get_product": lambda a, i: a[0].get_product(pick(products, i)),
        "find_customer_id_by_email": lambda a, i: a[2].find_customer_id_by_email(pick(emails, i)),
        "list_orders": lambda a, i: a[1].list_orders(pick(users, i)),
        "aget_order (async twin, from an event loop)": lambda a, i: loop.run_until_complete(
            a[1].aget_order(pick(orders, i))
        ),
        "modify_customer_address (write)": lambda a, i: a[2].modify_customer_address(
            pick(users, i), ADDRESS, idempotency_key=f"bench-{id(a)}-{time.perf_counter_ns()}"
        ),
    }


def _start_server() -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "shopcrew.tools.mcp.serve_reference", "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the server binds first, then says so
    if not line.startswith("ready "):
        proc.kill()
        raise RuntimeError(f"the platform server did not start: {line!r}")
    return proc, line.split()[1]


def _time(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200, help="Calls per operation and rep.")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    store = RetailStore.load(store_dir("us_retail"))
    proc, url = _start_server()
    try:
        backends = {"json": build_json_adapters(store.fork()), "mcp": build_mcp_adapters(url)}
        loop = asyncio.new_event_loop()
        mix = _mix(store, loop)
        for op in mix.values():
            for i in range(args.warmup):
                for adapters in backends.values():
                    op(adapters, i)
        reps = []
        for rep in range(args.reps):
            order = ["json", "mcp"] if rep % 2 == 0 else ["mcp", "json"]
            row: dict[str, Any] = {}
            for name, op in mix.items():
                spent = {"json": 0.0, "mcp": 0.0}
                for i in range(args.calls):
                    for backend in order:
                        adapters = backends[backend]
                        spent[backend] += _time(lambda a=adapters, k=i, f=op: f(a, k))
                json_us = 1e6 * spent["json"] / args.calls
                mcp_us = 1e6 * spent["mcp"] / args.calls
                row[name] = {
                    "json_us": round(json_us, 1),
                    "mcp_us": round(mcp_us, 1),
                    "mcp_over_json": round(mcp_us / json_us, 1),
                }
            reps.append(row)
        loop.close()
    finally:
        proc.kill()
        proc.wait()
    medians = {
        name: {
            "json_us": round(_median([r[name]["json_us"] for r in reps]), 1),
            "mcp_us": round(_median([r[name]["mcp_us"] for r in reps]), 1),
            "mcp_over_json": median_ratio([r[name]["mcp_over_json"] for r in reps]),
        }
        for name in mix
    }
    report = {
        "calls_per_operation_and_rep": args.calls,
        "warmup_calls": args.warmup,
        "reps": reps,
        "median": medians,
        "machine": machine(("mcp", "httpx2", "uvicorn", "pydantic")),
    }
    print(json.dumps(report, indent=2))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


if __name__ == "__main__":
    main()
