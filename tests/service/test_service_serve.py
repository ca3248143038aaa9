"""`shopcrew serve` as a real uvicorn server on a loopback port, keys made by `shopcrew keys`."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis
from support.serve_process import SHOPCREW, start_serve

EMAIL = "amelia.wilson1598@example.com"
ORDER = "#W9077205"


def _shopcrew(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [*SHOPCREW, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def server(
    redis_url: str, namespace: str, store_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, list[str]]]:
    """A running server over Redis; yields its URL and the Redis CLI options."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"budget_move_threshold": 0.0}))
    redis_args = ["--redis", redis_url, "--namespace", namespace]
    args = [*redis_args, "--store-dir", str(store_dir), "--policy", str(policy)]
    args += ["--max-crews", "1"]  # every change of merchant drops the other's crew
    proc, url = start_serve(args, tmp_path / "serve.log")
    try:
        yield url, redis_args
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal it caught.
    assert proc.returncode in (0, -signal.SIGTERM), (tmp_path / "serve.log").read_text()


def _events(response: httpx.Response) -> list[tuple[str, dict[str, object]]]:
    """Read server-sent events as they arrive."""
    found: list[tuple[str, dict[str, object]]] = []
    name = "message"
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            found.append((name, json.loads(line[5:])))
    return found


@pytest.mark.slow
def test_a_served_crew_answers_streams_and_resumes_an_approval(
    server: tuple[str, list[str]], redis_url: str, namespace: str
) -> None:
    url, redis_args = server
    created = _shopcrew("keys", "create", "--merchant", "acme", *redis_args)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sck_")
    listed = _shopcrew("keys", "list", *redis_args).stdout
    key_id = key.split("_")[1]
    assert listed.split()[:2] == [key_id, "acme"] and key not in listed
    with Redis.from_url(redis_url) as client:
        stored = b"".join(
            client.dump(k) or b"" for k in client.scan_iter(f"*{{{namespace}:_apikeys}}*")
        )
    assert stored and key.encode() not in stored and key.split("_", 2)[2].encode() not in stored

    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        assert http.get("/openapi.json").json()["info"]["title"] == "shopcrew"
        text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
        answered = http.post("/v1/conversations/c1/messages", json={"text": text}).json()
        assert answered["reply"].startswith(f"Order {ORDER} is delivered.")
        # Another merchant's request drops acme's crew; its conversation lives on in Redis.
        other = _shopcrew("keys", "create", "--merchant", "globex", *redis_args).stdout.strip()
        other_headers = {"Authorization": f"Bearer {other}"}
        hello = http.post(
            "/v1/conversations/g1/messages", json={"text": "Hi"}, headers=other_headers
        )
        assert hello.status_code == 200, hello.text
        with http.stream(
            "POST", "/v1/conversations/c1/messages/stream", json={"text": "Thanks"}
        ) as sse:
            assert sse.headers["content-type"].startswith("text/event-stream")
            events = _events(sse)
        assert events[0][0] == "metadata" and events[-1][0] == "end"
        state = http.get("/v1/conversations/c1").json()
        assert [m["role"] for m in state["messages"]].count("customer") == 2

        waiting = http.post("/v1/events", json={"kind": "budget_review_tick"}).json()
        [approval] = http.get("/v1/approvals").json()["approvals"]
        assert approval["request"]["id"] == waiting["interrupts"][0]["ref"]
        decision = {
            "verdict": "approve",
            "by": "ana",
            "action_hash": approval["request"]["action_hash"],
        }
        done = http.post(f"/v1/approvals/{approval['request']['id']}/decision", json=decision)
        assert done.status_code == 200, done.text
        assert done.json()["run"]["approvals"][0]["status"] == "approved"
        metrics = http.get("/metrics").text
        assert 'shopcrew_approvals_total{outcome="approve"} 1.0' in metrics

        revoked = _shopcrew("keys", "revoke", key_id, *redis_args)
        assert revoked.returncode == 0, revoked.stderr
        assert http.get("/v1/approvals").status_code == 401
    with Redis.from_url(redis_url) as client:
        assert any(client.scan_iter(f"*{namespace}:acme*"))
