"""The crew's spans: events, guard decisions and approvals, and the context that links them.

Everything goes through the OpenTelemetry API only. Without an SDK tracer provider (the
default) the API hands out non-recording spans, so the calls here cost a function call and no
allocation of attributes: `recording()` tells callers whether building attributes is worth it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

__all__ = [
    "TRACER_NAME",
    "approval_span",
    "event_span",
    "extract_context",
    "guard_decision",
    "inject_context",
    "recording",
    "tracer",
]

TRACER_NAME: Final = "shopcrew"
"""The instrumentation scope of every shopcrew span."""


def tracer() -> Tracer:
    """The shopcrew tracer of the current tracer provider (a no-op one unless configured)."""
    return trace.get_tracer(TRACER_NAME)


def recording() -> bool:
    """Whether a real tracer provider is installed (so spans are recorded)."""
    provider = trace.get_tracer_provider()
    return not isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider)


@contextmanager
def event_span(
    kind: str,
    event_id: str,
    *,
    merchant_id: str,
    thread_id: str,
    parent: Mapping[str, str] | None = None,
) -> Iterator[Span]:
    """The span of one crew event; `parent` is a carrier from `inject_context` (a queue entry)."""
    context = extract_context(parent) if parent else None
    with tracer().start_as_current_span(
        f"event {kind}",
        context=context,
        kind=SpanKind.CONSUMER if parent else SpanKind.INTERNAL,
        attributes={
            "shopcrew.event.kind": kind,
            "shopcrew.event.id": event_id,
            "shopcrew.merchant.id": merchant_id,
            "shopcrew.thread.id": thread_id,
        },
    ) as span:
        yield span


def guard_decision(tool: str, *, allowed: bool, reason: str = "") -> None:
    """Record one decision of the CS guard: a tool call allowed, or refused and why."""
    span = tracer().start_span(
        f"guard {tool}",
        attributes={
            "gen_ai.tool.name": tool,
            "shopcrew.guard.allowed": allowed,
            "shopcrew.guard.reason": reason,
        },
    )
    if not allowed:
        span.set_status(Status(StatusCode.OK, f"refused: {reason}"))
    span.end()


@contextmanager
def approval_span(stage: str, request_id: str, action: str, **attributes: str) -> Iterator[Span]:
    """The span of an approval's stage: `requested`, `decided` (with the verdict) or `applied`."""
    names = {f"shopcrew.approval.{key}": value for key, value in attributes.items()}
    with tracer().start_as_current_span(
        f"approval {stage}",
        attributes={
            "shopcrew.approval.stage": stage,
            "shopcrew.approval.request_id": request_id,
            "shopcrew.approval.action": action,
            **names,
        },
    ) as span:
        yield span


def inject_context() -> dict[str, str]:
    """The current trace context as a carrier (W3C `traceparent`), empty when not tracing."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(carrier: Mapping[str, str]) -> otel_context.Context:
    """The context a carrier from `inject_context` names."""
    return propagate.extract(dict(carrier))
