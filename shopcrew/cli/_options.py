"""Command-line options that several commands take, each defined once.

A command declares a parameter with one of these as its type (`redis: RedisOption = None`); the
default stays in the command's signature, where its readers look for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "DEFAULT_KEYS_FILE",
    "ConcurrencyOption",
    "KeysFileOption",
    "ModelOption",
    "NamespaceOption",
    "PolicyOption",
    "RedisOption",
    "ResultOption",
    "SeedOption",
    "StoreDirOption",
    "TimeLimitOption",
    "TrialsOption",
]

DEFAULT_KEYS_FILE = Path(".shopcrew") / "api_keys.json"
"""Where keys are kept without Redis (relative to the working directory)."""

# The crew's deployment: where its memory lives, what it serves, with which model.
ModelOption = Annotated[
    str, typer.Option("--model", help="'rules' or 'openai:<name>' (OPENAI_BASE_URL/KEY).")
]
RedisOption = Annotated[
    str | None,
    typer.Option("--redis", help="Redis URL (else REDIS_URL); keys and memory live there."),
]
NamespaceOption = Annotated[
    str, typer.Option("--namespace", help="Key prefix of this deployment in Redis.")
]
KeysFileOption = Annotated[
    Path,
    typer.Option("--keys-file", help="JSON file of the keys when no Redis is configured."),
]
StoreDirOption = Annotated[
    Path | None,
    typer.Option(
        "--store-dir",
        help="Merchant store: DIR/<merchant>/ if it exists, else DIR (a copy per merchant); "
        "the bundled demo store when unset. With Redis the files are the starting state and "
        "changes live in Redis, shared with `shopcrew worker`.",
    ),
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="JSON file of the merchant Policy fields.")
]

# How an evaluation runs: trials, seeds, threads, time limit, and where its result file goes.
TrialsOption = Annotated[
    int,
    typer.Option("--trials", min=1, help="Trials per case; pass^k is reported for k = 1..trials."),
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Run seed; each trial's seed is derived from it.")
]
ConcurrencyOption = Annotated[
    int, typer.Option("--concurrency", min=1, help="Cases run at once (threads).")
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option(
        "--time-limit", min=0.001, help="Seconds per case and trial; a slower case fails."
    ),
]
ResultOption = Annotated[
    Path | None,
    typer.Option("--result", help="Result JSON to write; OUT.result.json next to --out if unset."),
]
