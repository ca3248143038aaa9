"""Fixtures of the `langgraph dev` tests: the server and the store its merchants start from."""

from __future__ import annotations

import os
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

from shopcrew.tools.adapters import REFERENCE_STORE_DIR


@pytest.fixture(scope="module")
def store_dir() -> Path:
    """The bundled demo store: τ-bench's, with three ad campaigns (so budgets can move)."""
    return REFERENCE_STORE_DIR


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
    # The README's settings: no SHOPCREW_STORE_DIR, so the bundled store and its knowledge base.
    env = {**os.environ, **QUIET_ENV}
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY",
                "SHOPCREW_STORE_DIR", "SHOPCREW_MODEL"):  # fmt: skip
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
