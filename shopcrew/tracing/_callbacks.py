"""`TracingCallbackHandler`: agent runs, model calls and tool calls as OpenTelemetry spans.

Follows the GenAI semantic conventions: `invoke_agent <agent>`, `chat <model>` and
`execute_tool <tool>` spans with `gen_ai.*` attributes (operation, agent, model, token usage),
plus the call's cost in US dollars when `genai-prices` knows the model. Each span's parent is
the span of its LangChain parent run, else the current span (the event's).

A node that checks a tool call before running it (the CS agent's guard) opens the call's
`execute_tool` span itself with `tool_span`, around the check and the run: the guard's span is
then a child of the tool's, and the tool's own run (`on_tool_start`) adopts that span instead
of starting a second one. A refused call has its tool span too, marked refused, never run.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any
from uuid import UUID

from genai_prices import Usage, calc_price
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from shopcrew.tracing._spans import recording, tracer

__all__ = ["AGENT_NODES", "TracingCallbackHandler", "price_of", "tool_span", "traced"]

AGENT_NODES: frozenset[str] = frozenset({"cs_agent", "store_manager", "planner", "demand_planner"})
"""The crew's agents: the graph nodes whose runs become `invoke_agent` spans."""

_OPEN_TOOL: ContextVar[tuple[str, Span] | None] = ContextVar("shopcrew_open_tool", default=None)
"""The tool call whose span `tool_span` opened, for its run to adopt."""


def price_of(model: str, *, input_tokens: int, output_tokens: int) -> Decimal | None:
    """The price in US dollars of a call, from the price data `genai-prices` ships (offline).

    Args:
        model: The model name as the provider reports it (``gpt-4o-mini``, ``qwen-plus``...).
        input_tokens: Prompt tokens.
        output_tokens: Completion tokens.

    Returns:
        The price, or None when the model is unknown (local models, the rules model).
    """
    if not model or model in {"rules", "scripted"}:
        return None
    try:
        result = calc_price(
            Usage(input_tokens=input_tokens, output_tokens=output_tokens), model_ref=model
        )
    except LookupError:
        return None
    return Decimal(str(result.total_price))


def _usage(response: LLMResult) -> tuple[int, int, str]:
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration):
                message = generation.message
                usage = getattr(message, "usage_metadata", None) or {}
                model = str(message.response_metadata.get("model_name") or "")
                return usage.get("input_tokens", 0), usage.get("output_tokens", 0), model
    return 0, 0, ""


class TracingCallbackHandler(BaseCallbackHandler):
    """Turns a graph run's callbacks into spans (pass it in the run's `callbacks`).

    Args:
        agents: Node names whose runs are agent runs.
    """

    def __init__(self, agents: Collection[str] = AGENT_NODES) -> None:
        self.agents = frozenset(agents)
        self._spans: dict[UUID, Span | None] = {}
        """Each run's span: its own, or the one it passes on (its parent's)."""
        self._owned: set[UUID] = set()
        self._requested: dict[UUID, str] = {}
        self._lock = threading.Lock()

    def _parent(self, parent_run_id: UUID | None) -> Span | None:
        with self._lock:
            return self._spans.get(parent_run_id) if parent_run_id else None

    def _start(
        self, run_id: UUID, parent_run_id: UUID | None, name: str, attributes: dict[str, Any]
    ) -> None:
        parent = self._parent(parent_run_id)
        context = trace.set_span_in_context(parent) if parent is not None else None
        span = tracer().start_span(
            name, context=context, kind=SpanKind.INTERNAL, attributes=attributes
        )
        with self._lock:
            self._spans[run_id] = span
            self._owned.add(run_id)

    def _inherit(self, run_id: UUID, parent_run_id: UUID | None) -> None:
        with self._lock:
            self._spans[run_id] = self._spans.get(parent_run_id) if parent_run_id else None

    def _end(self, run_id: UUID, error: BaseException | None = None) -> Span | None:
        with self._lock:
            span = self._spans.pop(run_id, None)
            owned = run_id in self._owned
            self._owned.discard(run_id)
        if span is None or not owned:
            return None
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()
        return span

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """An agent's node starts an `invoke_agent` span; other chains only pass theirs on."""
        name = kwargs.get("name") or ""
        node = (metadata or {}).get("langgraph_node")
        if name in self.agents and node == name:
            attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": name}
            self._start(run_id, parent_run_id, f"invoke_agent {name}", attributes)
        else:
            self._inherit(run_id, parent_run_id)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End the agent's span (an interrupt ends a run too)."""
        self._end(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End the agent's span with the error (LangGraph's interrupt is not one)."""
        interrupted = type(error).__name__ in {"GraphInterrupt", "ParentCommand"}
        self._end(run_id, None if interrupted else error)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A `chat` span with the requested model and provider."""
        params = kwargs.get("invocation_params") or {}
        meta = metadata or {}
        model = str(params.get("model") or params.get("model_name") or meta.get("ls_model_name"))
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "gen_ai.provider.name": str(meta.get("ls_provider") or params.get("_type") or ""),
        }
        with self._lock:
            self._requested[run_id] = model
        self._start(run_id, parent_run_id, f"chat {model}", attributes)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Token usage and cost of the call, then end its span."""
        with self._lock:
            span = self._spans.get(run_id)
        if span is not None:
            input_tokens, output_tokens, model = _usage(response)
            model = model or self._requested.pop(run_id, "")
            span.set_attribute("gen_ai.response.model", model)
            span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
            cost = price_of(model, input_tokens=input_tokens, output_tokens=output_tokens)
            if cost is not None:
                span.set_attribute("shopcrew.cost_usd", float(cost))
        self._end(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End the call's span with its error."""
        self._end(run_id, error)

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        """An `execute_tool` span (or the one `tool_span` opened for this call)."""
        name = str(kwargs.get("name") or (serialized or {}).get("name") or "tool")
        opened = _OPEN_TOOL.get()
        if opened is not None and opened[0] == name:
            with self._lock:
                self._spans[run_id] = opened[1]  # not owned: `tool_span` ends it
            return
        attributes = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name}
        self._start(run_id, parent_run_id, f"execute_tool {name}", attributes)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End the tool's span."""
        self._end(run_id)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End the tool's span with its error."""
        self._end(run_id, error)

    def span_of(self, run_id: UUID) -> Span | None:
        """The span a run has (its own or the one it passes on), if any."""
        with self._lock:
            return self._spans.get(run_id)


def _parent_span(config: RunnableConfig) -> Span | None:
    manager = config.get("callbacks")
    handlers = manager if isinstance(manager, list) else getattr(manager, "handlers", [])
    run_id = getattr(manager, "parent_run_id", None)
    for handler in handlers:
        if isinstance(handler, TracingCallbackHandler) and run_id is not None:
            return handler.span_of(run_id)
    return None


@contextmanager
def tool_span(config: RunnableConfig, name: str) -> Iterator[Span | None]:
    """Open the `execute_tool` span of one tool call around its checks and its run.

    The span's parent is the span of the node's run (the agent's); it is the current span
    inside, so a guard decision made there is its child. Yields None when not tracing.
    """
    if not recording():
        yield None
        return
    parent = _parent_span(config)
    span = tracer().start_span(
        f"execute_tool {name}",
        context=trace.set_span_in_context(parent) if parent is not None else None,
        kind=SpanKind.INTERNAL,
        attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name},
    )
    opened = _OPEN_TOOL.set((name, span))
    attached = otel_context.attach(trace.set_span_in_context(span))
    try:
        yield span
    except BaseException as exc:
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        otel_context.detach(attached)
        _OPEN_TOOL.reset(opened)
        span.end()


def traced(config: RunnableConfig) -> RunnableConfig:
    """`config` with a `TracingCallbackHandler` added while tracing is on; as is when off."""
    if not recording():
        return config
    callbacks = config.get("callbacks")
    handlers = list(callbacks) if isinstance(callbacks, list) else []
    if callbacks is not None and not isinstance(callbacks, list):
        handlers = list(callbacks.handlers)
    return {**config, "callbacks": [*handlers, TracingCallbackHandler()]}
