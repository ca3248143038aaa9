"""The crew as an MCP server (`shopcrew mcp`): stdio for one merchant, HTTP behind API keys."""

from shopcrew.mcp_server.http import MCP_PATH, RequireApiKey, mcp_http_app
from shopcrew.mcp_server.server import INSTRUCTIONS, build_mcp_server, key_of

__all__ = [
    "INSTRUCTIONS",
    "MCP_PATH",
    "RequireApiKey",
    "build_mcp_server",
    "key_of",
    "mcp_http_app",
]
