"""Overhead of tracing on the per-event path: off (the API's no-op tracer) against on (the SDK
with an in-memory exporter), one order-status conversation turn per event, rules model.

A process sets its global tracer provider once, so each run is a child process; the runs
alternate off/on (interleaved) and the report gives each pair's ratio and their median, of wall
time and of the process's CPU time (steadier on a shared machine).

    python benchmarks/tracing.py [--events 200] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _bench_support import machine, median_ratio

TEXT = "Hi, my email is amelia.wilson1598@example.com. What is the status of order #W9077205?"


def child(mode: str, events: int) -> None:
    spans = 0
    if mode == "on":
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
    from shopcrew.graphs.crew import build_crew, send_event
    from shopcrew.graphs.events import CustomerMessage
    from shopcrew.models import resolve_model

    crew = build_crew(model=resolve_model("rules"))
    for i in range(20):  # warm-up: imports, the rules model's tables
        send_event(crew, CustomerMessage(conversation_id=f"warm{i}", text=TEXT))
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(events):
        send_event(crew, CustomerMessage(conversation_id=f"c{i}", text=TEXT))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if mode == "on":
        spans = len(exporter.get_finished_spans())
    per_event = {"per_event_ms": 1000 * elapsed / events, "cpu_per_event_ms": 1000 * cpu / events}
    print(json.dumps({"mode": mode, **per_event, "spans": spans}))


def run(mode: str, events: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--events", str(events)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", choices=["on", "off"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.events)
        return
    pairs = []
    for _ in range(args.reps):
        off = run("off", args.events)
        on = run("on", args.events)
        pairs.append(
            {
                "off_ms": off["per_event_ms"],
                "on_ms": on["per_event_ms"],
                "off_cpu_ms": off["cpu_per_event_ms"],
                "on_cpu_ms": on["cpu_per_event_ms"],
                "spans": on["spans"],
            }
        )
    ratios = [p["on_ms"] / p["off_ms"] for p in pairs]
    cpu_ratios = [p["on_cpu_ms"] / p["off_cpu_ms"] for p in pairs]
    report = {
        "events_per_run": args.events,
        "pairs": pairs,
        "on_over_off": [round(r, 3) for r in ratios],
        "median_on_over_off": median_ratio(ratios),
        "cpu_on_over_off": [round(r, 3) for r in cpu_ratios],
        "median_cpu_on_over_off": median_ratio(cpu_ratios),
        "spans_per_event": round(pairs[0]["spans"] / (args.events + 20), 1),
        "machine": machine(("opentelemetry-api", "opentelemetry-sdk", "langgraph")),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
