"""`configure_tracing`: an OpenTelemetry SDK exporting over OTLP/HTTP, only when asked for."""

from __future__ import annotations

import logging

from opentelemetry import trace

from shopcrew.errors import ConfigError

__all__ = ["configure_tracing"]

logger = logging.getLogger(__name__)


def configure_tracing(endpoint: str | None, *, service_name: str = "shopcrew") -> bool:
    """Install a tracer provider that sends spans to an OTLP/HTTP collector at `endpoint`.

    Without an endpoint nothing is installed and tracing stays off (the API's no-op tracer).
    The exporter reads the other `OTEL_EXPORTER_OTLP_*` variables (headers, timeout) itself.

    Args:
        endpoint: The collector's base URL (Jaeger: `http://localhost:4318`), or None.
        service_name: The `service.name` resource attribute.

    Returns:
        Whether a provider was installed.

    Raises:
        ConfigError: An endpoint is set but the SDK is not installed (`shopcrew[tracing]`).
    """
    if not endpoint:
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise ConfigError(
            f"OTEL_EXPORTER_OTLP_ENDPOINT is {endpoint!r} but the OpenTelemetry SDK is not "
            "installed: pip install 'shopcrew[tracing]', or unset the variable."
        ) from exc
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    logger.info("tracing to %s over OTLP/HTTP", endpoint)
    return True
