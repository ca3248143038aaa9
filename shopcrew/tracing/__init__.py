"""OpenTelemetry traces of the crew: events, agent runs, model and tool calls, guard, approvals.

Off by default: only the OpenTelemetry API is imported, whose tracer does nothing until an
SDK provider is installed (`configure_tracing`, or your own `trace.set_tracer_provider`).
"""

from shopcrew.tracing._callbacks import (
    AGENT_NODES,
    TracingCallbackHandler,
    price_of,
    tool_span,
    traced,
)
from shopcrew.tracing._setup import configure_tracing
from shopcrew.tracing._spans import (
    TRACER_NAME,
    approval_span,
    event_span,
    extract_context,
    guard_decision,
    inject_context,
    recording,
    tracer,
)

__all__ = [
    "AGENT_NODES",
    "TRACER_NAME",
    "TracingCallbackHandler",
    "approval_span",
    "configure_tracing",
    "event_span",
    "extract_context",
    "guard_decision",
    "inject_context",
    "price_of",
    "recording",
    "tool_span",
    "traced",
    "tracer",
]
