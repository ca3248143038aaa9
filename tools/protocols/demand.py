"""The demand planner's data Protocol: the planning instance, and stock placed by transfer orders.

`DemandDataAdapter` gives the planner one merchant's planning instance (SKUs, regions and
warehouses, calendar, sales history, costs: `DemandMarket`) and takes the transfer orders that
place stock in the regional warehouses. The JSON reference backend is
`shopcrew.tools.reference.demand.JsonDemandDataAdapter`; a platform backend (a WMS, JD's or
Cainiao's inventory API) implements the same two methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from shopcrew.tools.records.demand import DemandMarket

__all__ = ["DemandDataAdapter", "TransferOrder"]


@dataclass(frozen=True, slots=True)
class TransferOrder:
    """Units of one SKU sent from the central warehouse to regional warehouses."""

    order_id: str
    sku: str
    units: dict[str, float]
    """Region id → units."""


class DemandDataAdapter(Protocol):
    """Reads one merchant's demand-planning data and places forward stock."""

    @property
    def merchant_id(self) -> str:
        """The merchant served."""
        ...

    def load_market(self) -> DemandMarket:
        """The current planning instance: history up to today, horizon, costs, constraints."""
        ...

    def place_stock(
        self, sku: str, units: Mapping[str, float], *, idempotency_key: str
    ) -> TransferOrder:
        """Order `units` (region → units) of `sku` to the regional warehouses, once per key."""
        ...
