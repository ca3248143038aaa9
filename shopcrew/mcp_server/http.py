"""The MCP server over streamable HTTP, behind the service's per-merchant API keys."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from shopcrew.mcp_server.server import key_of
from shopcrew.service.keys import ApiKeyStore

__all__ = ["MCP_PATH", "RequireApiKey", "mcp_http_app"]

MCP_PATH = "/mcp"
"""Where the MCP endpoint is served (as LangGraph's Agent Server does)."""


class RequireApiKey:
    """Answers 401 to any HTTP request without a valid API key, before MCP reads it.

    The tools verify the key again to learn the call's merchant: a session never carries a
    merchant from one request to the next.
    """

    def __init__(self, app: ASGIApp, *, keys: ApiKeyStore) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check an HTTP request's key; pass anything else (lifespan) through."""
        if scope["type"] == "http":
            key = key_of(dict(Headers(scope=scope)))
            problem = "no API key" if key is None else None
            if key is not None and await self.keys.averify(key) is None:
                problem = "unknown or revoked API key"
            if problem is not None:
                body = {
                    "error": {
                        "type": "AuthenticationError",
                        "message": f"{problem}: send `Authorization: Bearer <API key>` "
                        "(create one with `shopcrew keys create --merchant <id>`).",
                    }
                }
                response = JSONResponse(
                    body, status_code=401, headers={"WWW-Authenticate": "Bearer"}
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def mcp_http_app(server: MCPServer, *, keys: ApiKeyStore, host: str = "127.0.0.1") -> ASGIApp:
    """The server's streamable HTTP app at `MCP_PATH`, every request checked by `keys`.

    Args:
        server: Built by `build_mcp_server(service, keys=keys)`.
        keys: The service's key store (`shopcrew keys create`).
        host: The interface it listens on; loopback hosts get DNS-rebinding protection.
    """
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    return RequireApiKey(app, keys=keys)
