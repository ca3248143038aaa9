"""Replay of τ-bench tasks through the adapter Protocols: the JSON backend or a platform's MCP.

`replay.py` replays on the store itself (`TauRetailTools`), byte for byte as τ-bench. This
module replays the same ground-truth actions through the layer agents use, the τ-bench tools
over the retail adapters (`build_retail_tools`), so any backend can be checked against the
oracle: the final store must have the oracle's hash, and each output the oracle's value.
(Outputs are compared as JSON values: the tool layer prints a rewritten address's keys in the
files' order, see `shopcrew.tools.langchain.retail`.)

`PlatformReplay` drives a platform's MCP server that offers the reference platform's two
test tools (`reference_reset`, `reference_store_sha256`; `shopcrew.tools.mcp.serve_reference`):
each task starts from a fresh store and ends with the store's hash, read on the server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool

from shopcrew.errors import PlatformResponseError
from shopcrew.evaluation.tau.replay import ReplayResult, TauTask
from shopcrew.tools.idempotency.base import InMemoryIdempotencyStore
from shopcrew.tools.langchain.retail import build_retail_tools
from shopcrew.tools.mcp.connection import McpConnection
from shopcrew.tools.mcp.retail import build_mcp_adapters
from shopcrew.tools.reference.retail import build_json_adapters
from shopcrew.tools.reference.store import RetailStore

__all__ = ["PlatformReplay", "replay_actions", "replay_on_json_adapters"]


def replay_actions(tools: Mapping[str, BaseTool], task: TauTask) -> tuple[str, ...]:
    """Run a task's actions through the tools, as tool calls of one thread; their outputs."""
    config: RunnableConfig = {"configurable": {"thread_id": f"replay:{task.id}"}}
    outputs: list[str] = []
    for index, action in enumerate(task.actions):
        tool = tools.get(action.name)
        if tool is None:
            outputs.append(f"Unknown action {action.name}")
            continue
        call = {"type": "tool_call", "id": f"call-{index}", "name": action.name}
        message = tool.invoke({**call, "args": action.kwargs}, config=config)
        assert isinstance(message, ToolMessage)
        outputs.append(str(message.content))
    return tuple(outputs)


def replay_on_json_adapters(store: RetailStore, task: TauTask) -> ReplayResult:
    """Replay one task through the tools over the JSON adapters of a fork of `store`."""
    fresh = store.fork()
    catalog, orders, customers = build_json_adapters(fresh)
    tools = build_retail_tools(catalog=catalog, orders=orders, customers=customers)
    outputs = replay_actions({tool.name: tool for tool in tools}, task)
    return ReplayResult(task.id, outputs, fresh.store_sha256())


class PlatformReplay:
    """Replays tasks through the tools over a platform's MCP adapters, one task at a time.

    Args:
        url: The platform's MCP endpoint; it must offer `reference_reset` and
            `reference_store_sha256` (the reference platform does).
        platform: The mapping table (bundled name or file).
    """

    def __init__(self, url: str, *, platform: str | os.PathLike[str] = "reference") -> None:
        self.connection = McpConnection(url)
        self.adapters = build_mcp_adapters(url, platform=platform, connection=self.connection)

    def __call__(self, task: TauTask) -> ReplayResult:
        """Reset the platform's store, replay `task`, read the store's hash."""
        self._control("reference_reset")
        catalog, orders, customers = self.adapters
        # A fresh key store per task: keys are per thread and call, and a task may be replayed
        # again (trials) on a reset store.
        keys = InMemoryIdempotencyStore(merchant_id=orders.merchant_id)
        tools = build_retail_tools(
            catalog=catalog, orders=orders, customers=customers, idempotency=keys
        )
        outputs = replay_actions({tool.name: tool for tool in tools}, task)
        return ReplayResult(task.id, outputs, self._control("reference_store_sha256"))

    def replay_all(self, tasks: Sequence[TauTask]) -> list[ReplayResult]:
        """Replay tasks one after another."""
        return [self(task) for task in tasks]

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def _control(self, tool: str) -> str:
        answer = self.connection.call(tool, {})
        digest = (answer.data or {}).get("sha256")
        if answer.is_error or not isinstance(digest, str):
            raise PlatformResponseError(tool, f"no store hash ({answer.text[:200]!r})")
        return digest
