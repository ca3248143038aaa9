"""The loopback OpenAI-compatible server of tests/models/conftest.py, for tests elsewhere."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Script", "loopback_servers"]

Script = Callable[[dict[str, Any]], dict[str, Any]]
_CONFTEST = Path(__file__).resolve().parents[1] / "models" / "conftest.py"


def _server_class() -> Any:
    name = "support_openai_loopback_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _CONFTEST)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # Dataclasses look their module up in sys.modules while the module runs.
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].LoopbackOpenAI


@contextmanager
def loopback_servers() -> Iterator[Callable[[Script], Any]]:
    """Start loopback servers with scripts; all are stopped on exit."""
    server_class = _server_class()
    started: list[Any] = []

    def start(script: Script) -> Any:
        server = server_class(script=script)
        server.start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()
