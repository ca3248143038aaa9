"""Shared plumbing of the LangChain tools: error strings, validation messages, write keys."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from shopcrew.errors import RunAbortedError, ShopcrewError
from shopcrew.tools.idempotency.base import IdempotencyStore, fingerprint

__all__ = [
    "KeyedTool",
    "ToolArgs",
    "arun_write",
    "idempotency_key",
    "make_tool",
    "run_write",
    "to_json",
]

logger = logging.getLogger(__name__)

TOOL_CALL_ID = "shopcrew_tool_call_id"
"""Config metadata key under which `KeyedTool` passes the id of the tool call being run."""


class ToolArgs(BaseModel):
    """Base of tool argument schemas: unknown arguments are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def to_json(value: BaseModel | list[BaseModel] | dict[str, JsonValue]) -> str:
    """A compact JSON result a model can read (non-ASCII kept as is)."""
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, list):
        return "[" + ", ".join(item.model_dump_json() for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _tool_error(exc: ToolException) -> str:
    return f"Error: {exc}"


def _validation_error(exc: ValidationError | Exception) -> str:
    if not isinstance(exc, ValidationError):
        return f"Error: invalid arguments: {exc}"
    problems = "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'arguments'}: {error['msg']}"
        for error in exc.errors()
    )
    return f"Error: invalid arguments ({problems}). Fix them and call the tool again."


class KeyedTool(StructuredTool):
    """A `StructuredTool` that tells its function the id of the tool call it runs.

    LangGraph's `ToolNode` invokes a tool with the model's `ToolCall`; this class copies the
    call's id into the run config's metadata, where `idempotency_key()` finds it.
    """

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Run the tool; see `BaseTool.invoke`."""
        return super().invoke(input, _with_call_id(input, config), **kwargs)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Run the tool; see `BaseTool.ainvoke`."""
        return await super().ainvoke(input, _with_call_id(input, config), **kwargs)


def _with_call_id(input: Any, config: RunnableConfig | None) -> RunnableConfig | None:
    if not (isinstance(input, dict) and input.get("type") == "tool_call" and input.get("id")):
        return config
    merged: RunnableConfig = dict(config or {})  # type: ignore[assignment]
    merged["metadata"] = {**merged.get("metadata", {}), TOOL_CALL_ID: str(input["id"])}
    return merged


def idempotency_key(config: RunnableConfig | None) -> str | None:
    """The idempotency key of a write tool call: `{thread_id}:{tool_call_id}`.

    A graph step that is retried (after a crash, from its checkpoint) replays the same
    `AIMessage`, so its tool calls keep their ids and the write applies once. Without a
    thread, the tool call id alone is used; a direct `invoke` with plain arguments (no
    `ToolCall`) has no key and always applies, unless the caller sets
    `configurable.idempotency_key` itself.
    """
    config = config or {}
    configurable = config.get("configurable", {})
    explicit = configurable.get("idempotency_key")
    if isinstance(explicit, str) and explicit:
        return explicit
    call_id = config.get("metadata", {}).get(TOOL_CALL_ID)
    if not call_id:
        return None
    thread = configurable.get("thread_id")
    return f"{thread}:{call_id}" if thread else str(call_id)


def run_write(
    store: IdempotencyStore,
    config: RunnableConfig | None,
    *,
    name: str,
    arguments: dict[str, JsonValue],
    apply: Callable[[str | None], str],
) -> str:
    """Apply a write tool's call once per idempotency key and return its result string.

    `apply(key)` performs the write, passing `key` on to the adapter. The tool layer records
    the result under `tool:{key}`, a different key, so that an adapter given the same
    idempotency store never waits on the tool's own claim.
    """
    key = idempotency_key(config)
    if key is None:
        return apply(None)
    return store.run(f"tool:{key}", name, fingerprint(name, arguments), lambda: apply(key))


async def arun_write(
    store: IdempotencyStore,
    config: RunnableConfig | None,
    *,
    name: str,
    arguments: dict[str, JsonValue],
    apply: Callable[[str | None], Awaitable[str]],
) -> str:
    """Async twin of `run_write`."""
    key = idempotency_key(config)
    if key is None:
        return await apply(None)
    return await store.arun(f"tool:{key}", name, fingerprint(name, arguments), lambda: apply(key))


A = TypeVar("A", bound=ToolArgs)


def make_tool(
    handler: Callable[[A, RunnableConfig], str],
    ahandler: Callable[[A, RunnableConfig], Awaitable[str]],
    *,
    name: str,
    description: str,
    args_schema: type[A],
) -> KeyedTool:
    """A tool over `handler(args, config)` whose errors come back as `Error: ...` strings.

    Bad arguments (pydantic's checks of `args_schema`) and our own errors (`ShopcrewError`:
    unknown ids, refused changes, idempotency conflicts) become a tool message starting
    with `Error:` that says what to fix, so the model can correct itself; a `RunAbortedError`
    (a worker's lost lease) ends the run instead.
    """

    def func(config: RunnableConfig, **kwargs: Any) -> str:
        try:
            return handler(args_schema.model_validate(kwargs), config)
        except RunAbortedError:
            raise
        except ShopcrewError as exc:
            raise ToolException(str(exc)) from exc

    async def coroutine(config: RunnableConfig, **kwargs: Any) -> str:
        try:
            return await ahandler(args_schema.model_validate(kwargs), config)
        except RunAbortedError:
            raise
        except ShopcrewError as exc:
            raise ToolException(str(exc)) from exc

    return KeyedTool(
        name=name,
        description=description,
        func=func,
        coroutine=coroutine,
        args_schema=args_schema,
        handle_tool_error=_tool_error,
        handle_validation_error=_validation_error,
    )
