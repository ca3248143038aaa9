"""`shopcrew mcp`: the crew as an MCP server, over stdio (one merchant) or streamable HTTP."""

from __future__ import annotations

from typing import Annotated

import typer

from shopcrew.cli._app import app, err_console
from shopcrew.cli._options import (
    DEFAULT_KEYS_FILE,
    KeysFileOption,
    ModelOption,
    NamespaceOption,
    PolicyOption,
    RedisOption,
    StoreDirOption,
)
from shopcrew.cli.serve import key_store, read_policy, redis_url_of, store_dir_for

__all__ = ["mcp"]


@app.command("mcp")
def mcp(
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve streamable HTTP at /mcp (API keys) instead of stdio."),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (--http).")] = (
        "127.0.0.1"
    ),
    port: Annotated[
        int, typer.Option("--port", help="TCP port (--http).", min=1, max=65535)
    ] = 8001,
    merchant: Annotated[
        str, typer.Option("--merchant", help="The merchant served over stdio.")
    ] = "demo",
    model: ModelOption = "rules",
    store_dir: StoreDirOption = None,
    policy: PolicyOption = None,
    redis: RedisOption = None,
    namespace: NamespaceOption = "shopcrew",
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
) -> None:
    """Serve the crew to an AI assistant over MCP.

    Stdio by default (the bundled demo shop in memory); streamable HTTP with --http, one
    merchant per API key as in `shopcrew serve`.
    """
    import anyio
    import uvicorn

    from shopcrew.mcp_server import build_mcp_server, mcp_http_app
    from shopcrew.models import resolve_model
    from shopcrew.service import ServiceMetrics, build_crews
    from shopcrew.service.runs import CrewService

    merchant_policy = read_policy(policy)
    redis_url = redis_url_of(redis)
    crews, shared = build_crews(
        model=resolve_model(model),
        redis_url=redis_url,
        namespace=namespace,
        store_dir_for=store_dir_for(store_dir),
        policy_for=lambda merchant_id: merchant_policy,
    )
    # runs of one conversation take its Redis lease, as `shopcrew serve` and the workers do
    service = CrewService.from_url(
        crews, ServiceMetrics(), redis_url=redis_url, namespace=namespace
    )
    try:
        if not http:
            server = build_mcp_server(service, merchant_id=merchant)
            anyio.run(server.run_stdio_async)
            return
        keys = key_store(redis, namespace, keys_file)
        try:
            server = build_mcp_server(service, keys=keys)
            application = mcp_http_app(server, keys=keys, host=host)
            err_console.print(f"shopcrew MCP on http://{host}:{port}/mcp", markup=False)
            uvicorn.run(application, host=host, port=port, log_level="warning")
        finally:
            keys.close()
    finally:
        if shared is not None:
            shared.close()
