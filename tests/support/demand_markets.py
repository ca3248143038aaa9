"""Small demand markets built in code, for tests of the demand planner and its grader."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopcrew.tools.records.demand import DemandMarket


def region(rid: str, *, home: bool = False, capacity: float = 100.0) -> dict[str, Any]:
    rate = {"base": 4.0, "per_kg": 1.0}
    return {
        "id": rid,
        "zh": rid,
        "en": rid,
        "home": home,
        "capacity": 0 if home else capacity,
        "local_cost": rate,
        "cross_cost": rate if home else {"base": 10.0, "per_kg": 2.0},
        "transfer_cost": {"base": 0.0, "per_kg": 0.0} if home else {"base": 1.0, "per_kg": 0.5},
        "cross_lost_share": 0.0 if home else 0.1,
    }


def sku(sid: str, *, start: dt.date, festive: bool = False) -> dict[str, Any]:
    return {
        "id": sid,
        "zh": sid,
        "en": sid,
        "category": "daily",
        "unit_cost": 20.0,
        "price": 40.0,
        "holding_cost_per_day": 0.05,
        "weight_kg": 1.0,
        "shelf_life_days": None,
        "festive_only": festive,
        "salvage_value": 2.0,
        "history_start": start.isoformat(),
    }


def tiny_market(
    history: dict[str, dict[str, list[int]]],
    *,
    cutoff: dt.date = dt.date(2026, 1, 20),
    capacity: float = 100.0,
    budget: float = 1e6,
    days: int = 28,
    lead: int = 8,
) -> DemandMarket:
    """A market with the home region `h` and forward regions named in the history."""
    regions = sorted({r for by_region in history.values() for r in by_region})
    first = next(iter(history.values()))
    length = len(next(iter(first.values())))
    start = cutoff - dt.timedelta(days=length - 1)
    horizon_start = cutoff + dt.timedelta(days=lead)
    raw = {
        "id": "tiny",
        "merchant": {"zh": "小店", "en": "Tiny shop"},
        "currency": "CNY",
        "home_region": "h",
        "cutoff": cutoff.isoformat(),
        "horizon": {
            "start": horizon_start.isoformat(),
            "days": days,
            "end": (horizon_start + dt.timedelta(days=days - 1)).isoformat(),
        },
        "holding_days": lead + days - 1,
        "budget": budget,
        "regions": [region(r, home=r == "h", capacity=capacity) for r in regions],
        "skus": [sku(s, start=start) for s in history],
        "calendar": {
            "cny": {"2024": "2024-02-10", "2025": "2025-01-29", "2026": "2026-02-17"},
            "events": [],
            "promotions": [],
        },
        "history": history,
    }
    return DemandMarket.model_validate(raw)
