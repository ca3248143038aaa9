"""Fixtures of the `langgraph dev` tests: the server and the store its merchants start from."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lg_server import (
    QUIET_ENV,
    ROOT,
    LanggraphServer,
    free_port,
    langgraph_python,
    stop,
    wait_ready,
)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, tau_dir: Path) -> Path:
    """The τ-bench store plus the examples' three ad campaigns (so budgets can move)."""
    root = tmp_path_factory.mktemp("lg-store")
    for name in ("orders.json", "products.json", "users.json"):
        shutil.copy(tau_dir / "db" / name, root / name)
    shutil.copy(ROOT / "examples" / "data" / "campaigns.jsonl", root / "campaigns.jsonl")
    return root


@pytest.fixture(scope="module")
def langgraph_server(
    tmp_path_factory: pytest.TempPathFactory, store_dir: Path
) -> Iterator[LanggraphServer]:
    """`langgraph dev` serving `langgraph.json`'s graphs; stopped with SIGINT after the module."""
    python = langgraph_python()
    # The in-memory runtime pickles its state into ./.langgraph_api: keep it out of the repo.
    workdir = tmp_path_factory.mktemp("lg-dev")
    log = workdir / "server.log"
    port = free_port()
    env = {**os.environ, **QUIET_ENV, "SHOPCREW_STORE_DIR": str(store_dir)}
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        env.pop(key, None)
    command = [
        python,
        "-m",
        "langgraph_cli",
        "dev",
        "--config",
        str(ROOT / "langgraph.json"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, log)
        yield LanggraphServer(url=url, store_dir=store_dir, log=log)
    finally:
        stop(process)
