"""Tracing is off unless configured, and `configure_tracing` turns it on (fresh interpreters:
a process sets its global tracer provider once)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopcrew.tracing import configure_tracing

pytestmark = pytest.mark.slow

_OFF = """
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.tracing import recording, traced
config = {"configurable": {"thread_id": "t"}}
assert not recording()
assert traced(config) is config
crew = build_crew(model=resolve_model("rules"))
send_event(crew, CustomerMessage(conversation_id="c", text="hi"))
print("off")
"""

_ON = """
from shopcrew.tracing import configure_tracing, recording
assert configure_tracing("http://127.0.0.1:9/") is True
print("on" if recording() else "still off")
"""


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_without_a_provider_nothing_is_recorded_and_no_handler_is_added() -> None:
    assert _python(_OFF) == "off"


def test_an_otlp_endpoint_installs_the_sdk_provider() -> None:
    assert _python(_ON) == "on"


def test_no_endpoint_installs_nothing() -> None:
    assert configure_tracing(None) is False
