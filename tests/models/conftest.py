"""Model fixtures: no real provider calls, and a loopback OpenAI-compatible server.

Scripts return a dict: ``{"content": str, "tool_calls": [{"id", "name", "arguments"}]}``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass(frozen=True)
class ScriptedCall:
    """One tool call the server answers with."""

    name: str
    arguments: dict[str, Any]
    id: str


@dataclass(frozen=True)
class Completion:
    """What the server answers to one request."""

    content: str = ""
    tool_calls: tuple[ScriptedCall, ...] = ()
    prompt_tokens: int = 11
    completion_tokens: int = 7


Script = Callable[[dict[str, Any]], dict[str, Any]]
"""Decides the answer (``{"content": ..., "tool_calls": [...]}``) from the request body."""


def _completion(answer: dict[str, Any]) -> Completion:
    calls = tuple(
        ScriptedCall(name=call["name"], arguments=call["arguments"], id=call["id"])
        for call in answer.get("tool_calls", [])
    )
    return Completion(content=answer.get("content", ""), tool_calls=calls)


def _message(completion: Completion) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": completion.content or None}
    if completion.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in completion.tool_calls
        ]
    return message


def _usage(completion: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
    }


def _sse_events(completion: Completion, model: str, usage: bool) -> Iterator[dict[str, Any]]:
    base = {"id": "chatcmpl-loop", "object": "chat.completion.chunk", "created": 0, "model": model}
    yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
    words = completion.content.split(" ") if completion.content else []
    for position, word in enumerate(words):
        piece = word if position == len(words) - 1 else word + " "
        yield {**base, "choices": [{"index": 0, "delta": {"content": piece}}]}
    for index, call in enumerate(completion.tool_calls):
        arguments = json.dumps(call.arguments)
        half = len(arguments) // 2
        head = {"index": index, "id": call.id, "type": "function"}
        head["function"] = {"name": call.name, "arguments": arguments[:half]}
        yield {**base, "choices": [{"index": 0, "delta": {"tool_calls": [head]}}]}
        tail = {"index": index, "function": {"arguments": arguments[half:]}}
        yield {**base, "choices": [{"index": 0, "delta": {"tool_calls": [tail]}}]}
    reason = "tool_calls" if completion.tool_calls else "stop"
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}
    if usage:
        yield {**base, "choices": [], "usage": _usage(completion)}


@dataclass
class LoopbackOpenAI:
    """A running server; ``base_url`` is what ChatOpenAI gets."""

    script: Script
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self.send_error(404)
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append(body)
                completion = _completion(owner.script(body))
                model = str(body.get("model", "loopback"))
                if body.get("stream"):
                    self._stream(completion, model, bool(body.get("stream_options")))
                    return
                payload = {
                    "id": "chatcmpl-loop",
                    "object": "chat.completion",
                    "created": 0,
                    "model": model,
                    "choices": [
                        {"index": 0, "message": _message(completion), "finish_reason": "stop"}
                    ],
                    "usage": _usage(completion),
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, completion: Completion, model: str, usage: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for event in _sse_events(completion, model, usage):
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def openai_server() -> Iterator[Callable[[Script], LoopbackOpenAI]]:
    """Start loopback servers with a given script; all are stopped after the test."""
    started: list[LoopbackOpenAI] = []

    def start(script: Script) -> LoopbackOpenAI:
        server = LoopbackOpenAI(script=script)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
