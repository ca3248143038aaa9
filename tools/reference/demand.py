"""The JSON reference `DemandDataAdapter`: a DEMAND_FORMAT.md market file, orders kept in memory."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shopcrew.errors import DemandFileError
from shopcrew.tools.protocols.demand import TransferOrder
from shopcrew.tools.records.demand import DemandMarket, iter_demand_markets

__all__ = ["JsonDemandDataAdapter"]


@dataclass
class JsonDemandDataAdapter:
    """The reference backend: a market from a DEMAND_FORMAT.md file, orders kept in memory."""

    market: DemandMarket
    merchant_id: str = "default"
    orders: dict[str, TransferOrder] = field(default_factory=dict)
    """Idempotency key → the order it placed."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_file(
        cls, path: str | Path, *, market_id: str | None = None, merchant_id: str = "default"
    ) -> JsonDemandDataAdapter:
        """The market `market_id` (the first when None) of a market file.

        Raises:
            DemandFileError: the file is malformed, or holds no such market.
        """
        for market in iter_demand_markets(path):
            if market_id is None or market.id == market_id:
                return cls(market, merchant_id=merchant_id)
        raise DemandFileError(str(path), 0, f"no market {market_id!r} in the file")

    def load_market(self) -> DemandMarket:
        """The market read from the file."""
        return self.market

    def place_stock(
        self, sku: str, units: Mapping[str, float], *, idempotency_key: str
    ) -> TransferOrder:
        """Record a transfer order; the same key returns the first order unchanged."""
        with self._lock:
            if idempotency_key in self.orders:
                return self.orders[idempotency_key]
            self.market.sku(sku)  # an unknown SKU raises before anything is recorded
            order = TransferOrder(f"TO-{len(self.orders) + 1:05d}", sku, dict(units))
            self.orders[idempotency_key] = order
            return order

    def placed(self) -> dict[str, dict[str, float]]:
        """SKU → region → units ordered so far."""
        out: dict[str, dict[str, float]] = {}
        for order in self.orders.values():
            for region, units in order.units.items():
                by_region = out.setdefault(order.sku, {})
                by_region[region] = by_region.get(region, 0.0) + units
        return out
