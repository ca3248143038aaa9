"""The README's shell commands run as written, from a directory other than the checkout.

Each test reads its commands out of README.md, so an edit of the README is an edit of the test.
Only what must differ on a shared test machine is changed: a free port instead of 8000, and a
`--namespace` of the test's own on the shared Redis.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOPCREW = [sys.executable, "-c", "from shopcrew.cli import main; main()"]
README_REDIS = "redis://127.0.0.1:6379/0"


def _bash_blocks(after: str) -> list[str]:
    """The ```bash blocks of the README section whose heading is `after`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(f"\n## {after}\n") :]
    section = section[: section.find("\n## ", 1)]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)


def _commands(block: str) -> list[str]:
    """The commands of a block: continued lines joined, comments and blank lines dropped."""
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and line[0] != "#"]


def _argv(command: str, *extra: str) -> list[str]:
    """A `shopcrew ...` command as this venv runs it, comments and [optional] parts dropped."""
    words = shlex.split(re.sub(r"\[[^\]]*\]", "", command), comments=True)
    assert words[0] == "shopcrew", command
    return [*SHOPCREW, *words[1:], *extra]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def on_readme_redis(redis_url: str) -> str:
    if redis_url != README_REDIS:
        pytest.skip(f"the README's commands name {README_REDIS}; the tests' Redis is {redis_url}")
    return redis_url


@pytest.mark.slow  # the flagship scenario in a CLI process
def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    (block,) = _bash_blocks("Quick start")[:1]
    command = block.strip().split(" && ")[-1]
    assert command == "shopcrew run double11_peak_hour"
    done = subprocess.run(
        _argv(command), cwd=tmp_path, capture_output=True, text=True, timeout=3600, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "FAIL " not in done.stdout and "PASS " in done.stdout
    assert "report: reports/double11_peak_hour/report.md" in done.stdout
    assert (tmp_path / "reports" / "double11_peak_hour" / "report.json").is_file()


@pytest.fixture
def served(on_readme_redis: str, namespace: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`keys create` and `serve` as the README writes them; yields the server URL and key."""
    block = _bash_blocks("HTTP service")[0]
    commands = _commands(block)
    create = next(c for c in commands if c.startswith("shopcrew keys create"))
    serve = next(c for c in commands if c.startswith("shopcrew serve"))
    ours = ("--namespace", namespace)
    key = subprocess.run(
        _argv(create, *ours), cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    port = _free_port()
    argv = _argv(serve.replace("--port 8000", f"--port {port}"), *ours)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise AssertionError(f"shopcrew serve did not start:\n{log.read_text()}")
    try:
        yield url, key
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _curl(command: str, *, url: str, key: str, fill: dict[str, str]) -> str:
    for placeholder, value in fill.items():
        command = command.replace(placeholder, value)
    command = command.replace("localhost:8000", url.removeprefix("http://"))
    done = subprocess.run(
        ["bash", "-c", command], env={**os.environ, "KEY": key}, capture_output=True, text=True
    )
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


@pytest.mark.slow  # a server process
def test_the_http_walkthrough_runs_as_written_and_the_budget_review_asks_for_approval(
    served: tuple[str, str],
) -> None:
    url, key = served
    curls = [c for c in _commands(_bash_blocks("HTTP service")[1]) if c.startswith("curl")]
    fill: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for command in curls:
        if "<ticket-id>" in command:
            continue  # no conversation of the walkthrough asks for a person
        out = _curl(command, url=url, key=key, fill=fill)
        outputs[command] = out
        if command.rstrip().endswith('/v1/approvals -H "Authorization: Bearer $KEY"'):
            [waiting] = json.loads(out)["approvals"]
            fill["<request-id>"] = waiting["request"]["id"]
            fill["<action_hash from the listing>"] = waiting["request"]["action_hash"]
    replies = [json.loads(o) for c, o in outputs.items() if "/messages -H" in c]
    assert replies[0]["reply"].startswith("Order #W9077205 is delivered.")
    review = next(json.loads(o) for c, o in outputs.items() if "budget_review_tick" in c)
    assert review["status"] == "waiting" and review["interrupts"][0]["kind"] == "approval"
    decided = next(json.loads(o) for c, o in outputs.items() if "/decision" in c)
    assert decided["approval"]["request"]["status"] == "approved", decided
    health = next(json.loads(o) for c, o in outputs.items() if "/healthz" in c)
    assert health == {"status": "ok", "redis": "ok", "store": "ok"}


@pytest.mark.slow  # worker processes
def test_the_worker_commands_run_as_written_and_the_replies_can_be_read(
    on_readme_redis: str, namespace: str, tmp_path: Path
) -> None:
    commands = _commands(_bash_blocks("Workers")[0])
    ours = ("--namespace", namespace)
    echo, enqueue, worker, conversation = commands
    subprocess.run(["bash", "-c", echo], cwd=tmp_path, check=True)
    subprocess.run(_argv(enqueue, *ours), cwd=tmp_path, check=True, capture_output=True)
    with (tmp_path / "worker.log").open("wb") as log:
        proc = subprocess.Popen(
            _argv(worker, *ours), cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            shown = subprocess.run(
                _argv(conversation, *ours), cwd=tmp_path, capture_output=True, text=True
            )
            # The thread exists once the worker takes the event; wait for its reply too.
            if shown.returncode == 0 and "assistant: " in shown.stdout:
                break
            time.sleep(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, (tmp_path / "worker.log").read_text()
    assert shown.stdout.splitlines()[1:] == [
        "assistant: Order #W9077205 is delivered. Tracking number: 882867966563. "
        "Amount paid: $591.58.",
        "(idle)",
    ]
