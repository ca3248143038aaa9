"""A worker process for the fault tests: `shopcrew worker` plus an optional slow write.

Usage: python run_worker.py URL NAMESPACE MERCHANT [--store-dir DIR]
[--pause-after-cancel MARKER] [--pause-before-cancel MARKER] [--pause-after-budget MARKER].
With a pause, the order adapter's `cancel_order` (or the ads adapter's `set_campaign_budget`)
writes MARKER after (or before) the write and sleeps, so the test can kill or stop the process
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


class Pausing:
    """An adapter that pauses around one write method, announcing it in a file."""

    def __init__(self, inner: Any, method: str, marker: Path, *, after: bool, pause: float) -> None:
        self._inner, self._method, self._marker = inner, method, marker
        self._after, self._pause = after, pause

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name != self._method:
            return found

        def paused(*args: Any, **kwargs: Any) -> Any:
            if not self._after:
                self._marker.write_text("entered")
                time.sleep(self._pause)
            result = found(*args, **kwargs)
            if self._after:
                self._marker.write_text("committed")
                time.sleep(self._pause)
            return result

        return paused


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("namespace")
    parser.add_argument("merchant")
    parser.add_argument("--store-dir", type=Path)
    parser.add_argument("--pause-after-cancel", type=Path)
    parser.add_argument("--pause-before-cancel", type=Path)
    parser.add_argument("--pause-after-budget", type=Path)
    parser.add_argument("--pause", type=float, default=600.0)
    parser.add_argument("--timing-ms", type=int, default=2000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    def wrap(adapters: Adapters) -> Adapters:
        if args.pause_after_budget is not None:
            ads = Pausing(
                adapters.ads,
                "set_campaign_budget",
                args.pause_after_budget,
                after=True,
                pause=args.pause,
            )
            return dataclasses.replace(adapters, ads=ads)
        marker = args.pause_after_cancel or args.pause_before_cancel
        if marker is None:
            return adapters
        after = args.pause_after_cancel is not None
        orders = Pausing(adapters.orders, "cancel_order", marker, after=after, pause=args.pause)
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
