"""The reference platform's MCP server as a process (streamable HTTP on loopback).

`python -m shopcrew.tools.mcp.serve_reference [--store DIR] [--port 0] [--journal FILE]`
binds the port first (0: a free one), then prints `ready http://HOST:PORT/mcp` and serves,
so a test or a benchmark waits for that line instead of polling. `--exit-before TOOL` and
`--exit-after TOOL` make the process vanish at the first call to TOOL (fault tests).
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

MCP_PATH = "/mcp"


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit it: without it each answer waits ~40 ms for a delayed ACK
    # (uvicorn sets no TCP_NODELAY on sockets it is handed).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, load the store, listen, print `ready <url>`, serve until killed."""
    import uvicorn

    from shopcrew.data import store_dir
    from shopcrew.tools.mcp.reference_server import (
        Faults,
        ReferencePlatform,
        build_reference_server,
    )
    from shopcrew.tools.reference.ads import JsonAdsAdapter
    from shopcrew.tools.reference.store import RetailStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="τ-bench store directory.")
    parser.add_argument("--merchant", default="default")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port.")
    parser.add_argument("--journal", type=Path, default=None, help="Write journal (JSONL).")
    parser.add_argument("--exit-before", default=None, metavar="TOOL")
    parser.add_argument("--exit-after", default=None, metavar="TOOL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    root = args.store or store_dir("us_retail")
    base = RetailStore.load(root, merchant_id=args.merchant)
    campaigns = JsonAdsAdapter.from_dir(root, merchant_id=args.merchant, persist=False)
    faults = Faults(exit_before=args.exit_before, exit_after=args.exit_after)
    platform = ReferencePlatform(
        base, campaigns=campaigns.list_campaigns(), journal=args.journal, faults=faults
    )
    server = build_reference_server(platform)
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, host=args.host
    )
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    sys.stdout.write(f"ready http://{host}:{port}{MCP_PATH}\n")
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
