"""What the demand planner takes from the crew and gives back.

From the blackboard: stock alerts cap what a SKU can place (the central warehouse holds no
more), campaign notes about a SKU lift its demand. To a person: a SKU whose forward stock is
worth more than the merchant's threshold, or that bets on a rise that may be a fad, waits in
the approval queue with its evidence (the interval, the money at risk, the history and the
forecast). To the marketing planner: the regions expected to run short of a SKU.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import JsonValue

from shopcrew.agents.demand.planner import DemandAnswer
from shopcrew.agents.policy import Policy
from shopcrew.memory.blackboard.entries import CampaignNote, Entry, ExpectedStockOut, StockAlert
from shopcrew.tools.records.approvals import ApprovalRequest
from shopcrew.tools.records.demand import DemandMarket

__all__ = [
    "CAMPAIGN_LIFT",
    "STOCK_ACTION",
    "board_effects",
    "evidence",
    "expected_stock_outs",
    "split_plan",
]

STOCK_ACTION = "place_forward_stock"
"""The approval action: payload `{"sku", "units": {region: units}, "evidence": {...}}`."""
CAMPAIGN_LIFT = 1.2
"""Demand multiplier for a SKU a campaign note says will be promoted (no size is given)."""
_STOCK_OUT_PROBABILITY = 0.5
_HISTORY_DAYS = 56


def board_effects(
    entries: Sequence[Entry], market: DemandMarket, *, lift: float = CAMPAIGN_LIFT
) -> tuple[dict[str, float], dict[str, float]]:
    """(SKU → demand lift, SKU → units the central warehouse still holds) from the board."""
    skus = {s.id for s in market.skus}
    lifts: dict[str, float] = {}
    caps: dict[str, float] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        if isinstance(entry, CampaignNote) and entry.product_id in skus:
            lifts[entry.product_id] = lift
        elif isinstance(entry, StockAlert):
            sku = entry.item_id if entry.item_id in skus else entry.product_id
            if sku in skus:
                caps[sku] = float(entry.level)
    return lifts, caps


def evidence(answer: DemandAnswer, sku_id: str) -> dict[str, JsonValue]:
    """What a person needs to judge a SKU's stock: interval, risk, history and forecast."""
    forecast = answer.forecast.skus[sku_id]
    history = answer.forecast.history.of(sku_id).units.sum(axis=0)[-_HISTORY_DAYS:]
    need = next((a for a in answer.approvals if a.sku == sku_id), None)
    cells = [c for c in answer.plan.cells if c.sku == sku_id]
    series = answer.series[sku_id]
    days = len(next(iter(series.values())).point)
    return {
        "trend": forecast.trend.flagged,
        "horizon_low": None if need is None else round(need.horizon_low, 1),
        "horizon_high": None if need is None else round(need.horizon_high, 1),
        "expected_demand": round(sum(c.expected_demand for c in cells), 1),
        "money_at_risk": round(sum(c.low_case_loss for c in cells), 2),
        "history": [int(v) for v in history],
        "forecast": [round(sum(s.point[k] for s in series.values()), 1) for k in range(days)],
        "forecast_lo": [round(sum(s.lo[k] for s in series.values()), 1) for k in range(days)],
        "forecast_hi": [round(sum(s.hi[k] for s in series.values()), 1) for k in range(days)],
    }


def _reason(answer: DemandAnswer, sku_id: str, value: float, currency: str) -> str:
    need = next((a for a in answer.approvals if a.sku == sku_id), None)
    if need is not None:
        return need.reason
    return f"forward stock of {sku_id} worth {value:.0f} {currency}, above the approval threshold"


def split_plan(
    answer: DemandAnswer, market: DemandMarket, *, policy: Policy, now: datetime, run_id: str
) -> tuple[list[ApprovalRequest], dict[str, dict[str, float]]]:
    """(requests for the SKUs that need a person, SKU → region → units placed directly)."""
    requests: list[ApprovalRequest] = []
    direct: dict[str, dict[str, float]] = {}
    flagged = {a.sku for a in answer.approvals}
    for sku_id, units in answer.plan.units().items():
        value = market.sku(sku_id).unit_cost * sum(units.values())
        if sku_id not in flagged and value <= policy.stock_plan_threshold:
            direct[sku_id] = units
            continue
        payload: dict[str, Any] = {
            "sku": sku_id,
            "units": dict(units),
            "evidence": evidence(answer, sku_id),
        }
        requests.append(
            ApprovalRequest.create(
                id=f"{run_id}:stock:{sku_id}",
                requested_by="demand_planner",
                action=STOCK_ACTION,
                payload=payload,
                reason=_reason(answer, sku_id, value, market.currency),
                created_at=now,
                expires_at=now + policy.approval_ttl,
            )
        )
    return requests, direct


def expected_stock_outs(
    answer: DemandAnswer, market: DemandMarket, *, author: str = "demand_planner"
) -> list[ExpectedStockOut]:
    """Forward cells likely to run out over the horizon, for the marketing planner."""
    return [
        ExpectedStockOut(
            author=author,
            product_id=cell.sku,
            region=cell.region,
            start=market.horizon.start.isoformat(),
            end=market.horizon.end.isoformat(),
            units_short=round(cell.expected_short, 1),
            probability=round(min(max(cell.stock_out_probability, 0.0), 1.0), 3),
        )
        for cell in answer.plan.cells
        if cell.stock_out_probability >= _STOCK_OUT_PROBABILITY and cell.expected_short >= 1.0
    ]
