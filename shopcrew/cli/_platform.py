"""Adapters on a platform's MCP server: the options of the commands that serve the crew."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from shopcrew.tools.adapters import Adapters

__all__ = ["PlatformMcpOption", "PlatformOption", "platform_adapters"]

PlatformMcpOption = Annotated[
    str | None,
    typer.Option(
        "--platform-mcp",
        help="The platform's MCP server (URL) for orders, customers, the catalogue (and "
        "ads, if its table maps them); default: SHOPCREW_PLATFORM_MCP_URL, else the store's "
        "files.",
    ),
]
PlatformOption = Annotated[
    str | None,
    typer.Option(
        "--platform",
        help="The platform's mapping table: a bundled name or a YAML file; default: "
        "SHOPCREW_PLATFORM, else 'reference'.",
    ),
]


def platform_adapters(url: str | None, table: str | None) -> Callable[[Adapters], Adapters] | None:
    """Adapters on the platform's MCP server, when one is named (option or environment).

    Raises:
        PlatformTableError: The table cannot be loaded (checked here, before anything starts).
    """
    from shopcrew.settings import load_settings
    from shopcrew.tools.mcp import load_platform_table

    env = load_settings()
    mcp_url, name = url or env.platform_mcp_url, table or env.platform
    if mcp_url is None:
        return None
    load_platform_table(name)

    def on_platform(adapters: Adapters) -> Adapters:
        return adapters.with_platform_mcp(mcp_url, platform=name)

    return on_platform
