"""Settings read from the environment: the only module that reads env variables."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Settings", "load_settings"]


class Settings(BaseModel):
    """Process-wide settings; every field can be overridden by a CLI flag."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    redis_url: str | None = Field(default=None, description="REDIS_URL; None means in-memory.")
    openai_base_url: str | None = Field(default=None, description="OPENAI_BASE_URL.")
    openai_api_key: str | None = Field(default=None, description="OPENAI_API_KEY.", repr=False)
    model: str = Field(default="rules", description="SHOPCREW_MODEL: 'rules' or 'openai:NAME'.")
    store_dir: str | None = Field(
        default=None, description="SHOPCREW_STORE_DIR; None means the reference store."
    )
    platform_mcp_url: str | None = Field(
        default=None,
        description="SHOPCREW_PLATFORM_MCP_URL: the platform's MCP server backs the retail "
        "adapters; None: the store's files do.",
    )
    platform: str = Field(
        default="reference",
        description="SHOPCREW_PLATFORM: the platform's mapping table (a bundled name or a file).",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_ form); None: no tracing.",
    )


def load_settings() -> Settings:
    """Read the settings from the environment."""
    return Settings(
        redis_url=os.environ.get("REDIS_URL") or None,
        openai_base_url=os.environ.get("OPENAI_BASE_URL") or None,
        openai_api_key=os.environ.get("OPENAI_API_KEY") or None,
        model=os.environ.get("SHOPCREW_MODEL") or "rules",
        store_dir=os.environ.get("SHOPCREW_STORE_DIR") or None,
        platform_mcp_url=os.environ.get("SHOPCREW_PLATFORM_MCP_URL") or None,
        platform=os.environ.get("SHOPCREW_PLATFORM") or "reference",
        otlp_endpoint=os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or None,
    )
