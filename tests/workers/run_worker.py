"""A worker process for the fault tests: `shopcrew worker` plus an optional paused write.

Usage: python run_worker.py URL NAMESPACE MERCHANT [--store-dir DIR]
[--pause-after-cancel | --pause-before-cancel | --pause-after-budget] [--pause SECONDS]
[--platform-mcp URL] [--max-attempts N].
With a pause, the order adapter's `cancel_order` (or the ads adapter's `set_campaign_budget`)
prints `paused: committed` after the write (or `paused: entered` before it) and waits, so the
test can kill or stop the process in the middle of a side-effecting event. The wait ends at
SIGTERM (the worker then finishes the event in hand) or after `--pause` seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from shopcrew.memory._redis import sync_client
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.workers import Worker, WorkerSettings, open_lane


class Pausing:
    """An adapter that pauses around one write method, announcing it on stdout."""

    def __init__(
        self, inner: Any, method: str, *, after: bool, pause: float, release: threading.Event
    ) -> None:
        self._inner, self._method = inner, method
        self._after, self._pause, self._release = after, pause, release

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name != self._method:
            return found

        def paused(*args: Any, **kwargs: Any) -> Any:
            if not self._after:
                self._hold("entered")
            result = found(*args, **kwargs)
            if self._after:
                self._hold("committed")
            return result

        return paused

    def _hold(self, moment: str) -> None:
        print(f"paused: {moment}", flush=True)
        self._release.wait(self._pause)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("namespace")
    parser.add_argument("merchant")
    parser.add_argument("--store-dir", type=Path)
    pauses = parser.add_mutually_exclusive_group()
    pauses.add_argument("--pause-after-cancel", action="store_true")
    pauses.add_argument("--pause-before-cancel", action="store_true")
    pauses.add_argument("--pause-after-budget", action="store_true")
    parser.add_argument("--pause", type=float, default=600.0)
    parser.add_argument("--timing-ms", type=int, default=2000)
    parser.add_argument("--platform-mcp", default=None, help="Retail adapters over this MCP URL.")
    parser.add_argument("--max-attempts", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    release = threading.Event()

    def wrap(adapters: Adapters) -> Adapters:
        if args.platform_mcp:
            adapters = adapters.with_platform_mcp(args.platform_mcp)
        if args.pause_after_budget:
            ads = Pausing(
                adapters.ads, "set_campaign_budget", after=True, pause=args.pause, release=release
            )
            return dataclasses.replace(adapters, ads=ads)
        if not (args.pause_after_cancel or args.pause_before_cancel):
            return adapters
        after = args.pause_after_cancel
        orders = Pausing(
            adapters.orders, "cancel_order", after=after, pause=args.pause, release=release
        )
        return dataclasses.replace(adapters, orders=orders)

    lane = open_lane(
        args.url,
        model=resolve_model("rules"),
        merchant_id=args.merchant,
        namespace=args.namespace,
        store_dir=args.store_dir,
        adapters=wrap,
    )
    client = sync_client(args.url)
    settings = WorkerSettings(
        min_idle_ms=args.timing_ms,
        lease_ms=args.timing_ms,
        retry_delay_s=0.1,
        block_ms=200,
        max_attempts=args.max_attempts,
    )
    worker = Worker(client, [lane], settings=settings)

    def on_sigterm(signum: int, frame: Any) -> None:
        worker.stop()
        release.set()  # a paused write goes on: the event in hand finishes

    signal.signal(signal.SIGTERM, on_sigterm)
    print("ready", flush=True)
    stats = worker.run()
    print(f"stopped processed={stats.processed}", flush=True)
    lane.close()
    client.close()


if __name__ == "__main__":
    main()
