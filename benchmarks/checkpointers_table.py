"""The README's checkpointer table from a `benchmarks/checkpointers.py --out FILE` result.

python benchmarks/checkpointers_table.py FILE
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROWS = {
    "none": "no checkpointer (same state)",
    "InMemorySaver": "`InMemorySaver`",
    "InMemorySaver async": "`InMemorySaver` async",
    "SqliteSaver": "`SqliteSaver`",
    "RedisSaver sync": "`RedisSaver` sync, Redis 7",
    "RedisSaver async": "`RedisSaver` async, Redis 7",
    "RedisSaver sync @redis8": "`RedisSaver` sync, Redis 8",
    "langgraph-checkpoint-redis @redis8": "`langgraph-checkpoint-redis`, Redis 8",
}
BASES = {
    "InMemorySaver": "InMemorySaver",
    "InMemorySaver async": "InMemorySaver async",
    "RedisSaver sync @redis8": "ours, Redis 8",
}


def _list(values: list[float]) -> str:
    return " / ".join(f"{v:g}" for v in values)


def table(result: dict[str, Any]) -> str:
    long = result["workload"]["long"]
    header = (
        "| saver | p50 ms per repetition | × baseline per repetition (median) "
        f"| turn {long} ÷ turn 1 per repetition (median) | round trips / turn "
        "| server commands / turn | server CPU ms / turn | bytes sent / turn "
        f"| Redis memory / thread, {result['workload']['turns']} turns | one {long}-turn thread |"
    )
    lines = [header, "|" + "---|" * 10]
    for name, label in ROWS.items():
        row = result["summary"].get(name)
        if row is None:
            continue
        base = BASES.get(row["baseline"], row["baseline"])
        ratio = f"{_list(row['p50_over_baseline'])} ({row['p50_over_baseline_median']:g}× {base})"
        grow = (
            f"{_list(row[f'turn_{long}_over_turn_1'])} ({row[f'turn_{long}_over_turn_1_median']:g})"
        )
        cells = [label, _list(row["p50_ms"]), ratio, grow]
        acct = result["accounting"].get(name)
        if acct:
            turns = result["workload"]["turns"]
            cells += [
                f"{acct['round_trips_per_turn']:g}",
                f"{acct['server_commands_per_turn_incl_lua']:g}",
                f"{acct['server_cpu_ms_per_turn']:g}",
                f"{acct['bytes_sent_per_turn'] / 1000:.1f} kB",
                f"{acct[f'memory_per_thread_{turns}_turns_MiB']:.2f} MiB",
                f"{acct[f'memory_thread_{long}_turns_MiB']:.1f} MiB",
            ]
        else:
            cells += ["–"] * 6
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("result", type=Path)
    args = parser.parse_args()
    print(table(json.loads(args.result.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
