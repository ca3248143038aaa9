"""A worker process for the fault tests: `shopcrew worker` plus an optional slow write.

Usage: python run_worker.py URL NAMESPACE MERCHANT [--pause-after-cancel MARKER]
[--pause-before-cancel MARKER]. With a pause, the order adapter's `cancel_order` writes
MARKER after (or before) the write and sleeps, so the test can kill or stop the process
in the middle of a side-effecting event.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from shopcrew.memory._redis import sync_client
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.workers import Worker, WorkerSettings, open_lane


class PausingOrders:
    """An order adapter that pauses around `cancel_order`, announcing it in a file."""

    def __init__(self, inner: Any, marker: Path, *, after: bool, pause: float) -> None:
        self._inner, self._marker, self._after, self._pause = inner, marker, after, pause

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def cancel_order(self, order_id: str, **kwargs: Any) -> Any:
        if not self._after:
            self._marker.write_text("entered")
            time.sleep(self._pause)
        result = self._inner.cancel_order(order_id, **kwargs)
        if self._after:
            self._marker.write_text("committed")
            time.sleep(self._pause)
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("namespace")
    parser.add_argument("merchant")
    parser.add_argument("--pause-after-cancel", type=Path)
    parser.add_argument("--pause-before-cancel", type=Path)
    parser.add_argument("--pause", type=float, default=600.0)
    parser.add_argument("--timing-ms", type=int, default=2000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    marker = args.pause_after_cancel or args.pause_before_cancel

    def wrap(adapters: Adapters) -> Adapters:
        if marker is None:
            return adapters
        orders = PausingOrders(
            adapters.orders, marker, after=args.pause_after_cancel is not None, pause=args.pause
        )
        return dataclasses.replace(adapters, orders=orders)

    lane = open_lane(
        args.url,
        model=resolve_model("rules"),
        merchant_id=args.merchant,
        namespace=args.namespace,
        adapters=wrap,
    )
    client = sync_client(args.url)
    settings = WorkerSettings(
        min_idle_ms=args.timing_ms, lease_ms=args.timing_ms, retry_delay_s=0.1, block_ms=200
    )
    worker = Worker(client, [lane], settings=settings)
    signal.signal(signal.SIGTERM, lambda signum, frame: worker.stop())
    print("ready", flush=True)
    stats = worker.run()
    print(f"stopped processed={stats.processed}", flush=True)
    lane.close()
    client.close()


if __name__ == "__main__":
    main()
