"""The live progress display, driven as the engine drives a `RunObserver`."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from io import StringIO
from typing import Any

import pytest
from rich.console import Console
from rich.live import Live

from shopcrew.scenario.observer import TALLY_KEYS, RunObserver
from shopcrew.scenario.progress import RichProgress

AGENTS = {
    "customer_message": "cs_agent",
    "order_event": "store_manager",
    "audit_tick": "store_manager",
    "budget_review_tick": "planner",
    "human_decision": "human",
    "redis_fault": "system",
}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_of(
    count: int, *, seed: int, violations: int = 0
) -> Iterator[tuple[dict[str, Any], dict[str, int]]]:
    """Event records and running tallies as the engine reports them, `violations` near the end."""
    rng = random.Random(seed)
    tally = dict.fromkeys(TALLY_KEYS, 0)
    for index in range(count):
        kind = rng.choices(list(AGENTS), weights=[70, 15, 5, 3, 5, 2])[0]
        outcome = {"customer_message": rng.choice(["resolved"] * 6 + ["escalated"])}.get(
            kind, "approval_waiting" if kind == "budget_review_tick" else "done"
        )
        record = {
            "index": index,
            "id": f"e{index}",
            "kind": kind,
            "agent": AGENTS[kind],
            "at": f"2026-11-11T10:{index % 60:02d}:00+08:00",
            "latency_ms": 1.0,
            "outcome": outcome,
            "detail": "顾客问：我的订单什么时候发货？" if index % 2 else "Where is my order?",
        }
        tally = dict(tally)
        tally["done"], tally["waiting"] = index + 1, count - index - 1
        tally[f"agent:{AGENTS[kind]}"] += 1
        tally["escalations"] += outcome == "escalated"
        tally["approvals_waiting"] += outcome == "approval_waiting"
        tally["violations"] = max(0, violations - (count - index - 1))
        yield record, tally


def drive(observer: RunObserver, *, count: int, seed: int, violations: int = 0) -> dict[str, int]:
    observer.started("peak_hour_1111", count)
    tally: dict[str, int] = {}
    for record, tally in run_of(count, seed=seed, violations=violations):
        observer.event_done(record, tally)
    observer.finished({"scenario": {"name": "peak_hour_1111"}, "passed": not violations})
    return tally


def last_frame(output: str) -> str:
    """The last frame drawn: a display starts by hiding the cursor, and erases before redrawing."""
    return output.split("\x1b[?25l")[-1].split("\x1b[2K")[-1]


def terminal() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(file=out, force_terminal=True, width=120, color_system="standard"), out


@pytest.mark.parametrize("seed", [0, 1])
def test_final_frame_shows_the_tallies_of_the_run(seed: int) -> None:
    console, out = terminal()

    with RichProgress(console) as progress:
        tally = drive(progress, count=300, seed=seed)

    frame = ANSI.sub("", last_frame(out.getvalue()))
    assert "peak_hour_1111" in frame and "300/300 events" in frame
    assert "waiting   0 events" in frame
    agents = (
        f"cs agent {tally['agent:cs_agent']} · store manager {tally['agent:store_manager']} · "
        f"planner {tally['agent:planner']} · human {tally['agent:human']} · "
        f"system {tally['agent:system']}"
    )
    assert agents in frame
    outcomes = (
        f"{tally['escalations']} escalations · {tally['approvals_waiting']} approvals waiting · "
        "0 violations"
    )
    assert outcomes in frame
    assert "verdict   passed" in frame


def test_violations_are_drawn_in_red() -> None:
    console, out = terminal()

    with RichProgress(console) as progress:
        drive(progress, count=200, seed=2, violations=2)

    frame = last_frame(out.getvalue())
    assert "\x1b[1;31m2 violations\x1b[0m" in frame
    assert "FAILED" in ANSI.sub("", frame)


def test_no_violation_is_drawn_in_green() -> None:
    console, out = terminal()

    with RichProgress(console) as progress:
        drive(progress, count=50, seed=3)

    assert "\x1b[32m0 violations\x1b[0m" in last_frame(out.getvalue())


def test_plain_output_prints_one_line_at_start_and_one_at_the_end() -> None:
    out = StringIO()
    console = Console(file=out, width=120)  # not a terminal: a log file, CI

    with RichProgress(console) as progress:
        tally = drive(progress, count=400, seed=4, violations=1)

    assert out.getvalue().splitlines() == [
        "running scenario peak_hour_1111: 400 events",
        f"scenario peak_hour_1111 FAILED: 400/400 events, {tally['escalations']} escalations, "
        f"{tally['approvals_waiting']} approvals waiting, 1 violations",
    ]


def test_leaving_the_block_on_an_error_stops_the_display() -> None:
    console, _ = terminal()

    with pytest.raises(RuntimeError, match="engine failed"), RichProgress(console) as progress:
        progress.started("peak_hour_1111", 10)
        raise RuntimeError("engine failed")

    with Live(console=console):  # rich refuses a second live display while one is running
        pass


def test_a_second_run_restarts_the_counts() -> None:
    console, out = terminal()
    progress = RichProgress(console)

    drive(progress, count=30, seed=5)
    drive(progress, count=12, seed=6)

    frame = ANSI.sub("", last_frame(out.getvalue()))
    assert "12/12 events" in frame and "30/30" not in frame


def test_agents_the_contract_does_not_name_are_shown_too() -> None:
    console, out = terminal()
    tally: Mapping[str, int] = {"done": 1, "waiting": 0, "agent:cs_agent": 0, "agent:auditor": 1}

    with RichProgress(console) as progress:
        progress.started("audit_only", 1)
        progress.event_done({"kind": "audit_tick", "agent": "auditor", "outcome": "done"}, tally)
        progress.finished({"passed": True})

    assert "cs agent 0 · auditor 1" in ANSI.sub("", last_frame(out.getvalue()))
