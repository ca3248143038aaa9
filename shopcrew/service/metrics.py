"""Prometheus metrics of one app, in its own `CollectorRegistry` (two apps never share one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["LATENCY_BUCKETS", "ServiceMetrics"]

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Seconds; a rules-model run takes milliseconds, an LLM turn seconds."""


class ServiceMetrics:
    """Counters and the latency histogram the service updates; no merchant or thread labels.

    Args:
        registry: Where the metrics live; a new registry when omitted.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.events = Counter(
            "shopcrew_events", "Events run by the crew, by kind.", ["kind"], registry=self.registry
        )
        self.latency = Histogram(
            "shopcrew_event_duration_seconds",
            "Time to run an event or a resume, by kind.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.escalations = Counter(
            "shopcrew_escalations",
            "Conversations handed to a person (opened) and answered by one (resumed).",
            ["action"],
            registry=self.registry,
        )
        self.approvals = Counter(
            "shopcrew_approvals",
            "Approval requests made (requested) and decided (approve, reject, edit).",
            ["outcome"],
            registry=self.registry,
        )
        self.errors = Counter(
            "shopcrew_errors",
            "Error responses, by error type and HTTP status.",
            ["type", "status"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
