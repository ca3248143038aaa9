"""`McpConnection`: one MCP client session to a platform's server, usable from sync and async code.

Our graphs call adapters synchronously (and their async twins from an event loop), while the
MCP client is async and its transport lives in a task group. The connection therefore runs
the client on a private event loop in a daemon thread: a sync call blocks on a future, an
async call awaits it from any loop. One task owns the client (an MCP transport must be
entered and left by the same task); a failure of the transport ends that task, every call in
flight fails with `PlatformUnavailableError`, and the next call connects again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp import Client
from pydantic import JsonValue

from shopcrew.errors import PlatformUnavailableError

__all__ = ["McpConnection", "ToolAnswer"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ToolAnswer:
    """What a platform tool answered."""

    is_error: bool
    """The tool failed (the platform's error is in `text`)."""
    data: dict[str, JsonValue] | None
    """The structured answer, when the tool gave one."""
    text: str
    """The text content, joined."""


class _Session:
    """A live client and the event that is set when its transport ends."""

    def __init__(self) -> None:
        self.client: Client | None = None
        self.ready = asyncio.Event()
        """Set once connected, or once connecting failed (then `client` is None)."""
        self.ended = asyncio.Event()
        self.stop = asyncio.Event()
        self.failure: BaseException | None = None
        self.owner: asyncio.Future[None] | None = None
        """The task that holds the client (kept, so it is not collected while it runs)."""


def _cause(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class McpConnection:
    """A client of one MCP server (streamable HTTP), shared by a merchant's adapters.

    Args:
        url: The server's endpoint, e.g. `http://127.0.0.1:8000/mcp`.
        timeout_s: How long one call may take before it fails.
    """

    def __init__(self, url: str, *, timeout_s: float = 30.0) -> None:
        self.url, self.timeout_s = url, timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: _Session | None = None
        self._started = threading.Lock()

    def call(self, tool: str, arguments: dict[str, JsonValue]) -> ToolAnswer:
        """Call `tool` and wait for its answer (from sync code, never from this loop).

        Raises:
            PlatformUnavailableError: the server could not be reached or went away.
        """
        return self._submit(self._call(tool, arguments)).result()

    async def acall(self, tool: str, arguments: dict[str, JsonValue]) -> ToolAnswer:
        """Async twin of `call`, from any event loop."""
        return await asyncio.wrap_future(self._submit(self._call(tool, arguments)))

    def close(self) -> None:
        """End the session and the connection's thread; a later call starts them again."""
        with self._started:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._end(), loop).result(timeout=self.timeout_s)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=self.timeout_s)
        loop.close()

    def __enter__(self) -> McpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _submit(self, coro: Coroutine[Any, Any, _T]) -> Future[_T]:
        with self._started:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name=f"mcp {self.url}", daemon=True
                )
                self._thread.start()
            return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _end(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.stop.set()
            await session.ended.wait()

    async def _call(self, tool: str, arguments: dict[str, JsonValue]) -> ToolAnswer:
        session = await self._connected(tool)
        assert session.client is not None
        call = asyncio.ensure_future(session.client.call_tool(tool, arguments))
        ended = asyncio.ensure_future(session.ended.wait())
        try:
            done, _ = await asyncio.wait(
                {call, ended}, timeout=self.timeout_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            ended.cancel()
        if call not in done:
            call.cancel()
            cause = "no answer in time" if not done else _cause(session.failure or EOFError())
            if not done:
                await self._end()  # a session that lost an answer is not trusted again
            raise PlatformUnavailableError(self.url, tool, cause)
        try:
            result = call.result()
        except Exception as exc:
            await self._end()
            raise PlatformUnavailableError(self.url, tool, _cause(exc)) from exc
        text = "".join(getattr(block, "text", "") for block in result.content)
        data = result.structured_content
        return ToolAnswer(result.is_error, dict(data) if data is not None else None, text)

    async def _connected(self, tool: str) -> _Session:
        session = self._session
        if session is None or session.ended.is_set():
            # Published before it connects: concurrent calls wait for this one session.
            session = self._session = _Session()
            session.owner = asyncio.ensure_future(self._own(session))
        await session.ready.wait()
        if session.client is None:
            raise PlatformUnavailableError(self.url, tool, _cause(session.failure or EOFError()))
        return session

    async def _own(self, session: _Session) -> None:
        """Enter the client, hold it until told to stop or its transport fails, leave it."""
        try:
            # No response cache: a platform's reads change with every write.
            client = Client(self.url, read_timeout_seconds=self.timeout_s, cache=None)
            async with client:
                session.client = client
                session.ready.set()
                await session.stop.wait()
        except BaseException as exc:  # the transport's task group failed: report, not raise
            session.failure = exc
            logger.warning("MCP session to %s ended: %s", self.url, _cause(exc))
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            session.client = None
            session.ended.set()
            session.ready.set()
