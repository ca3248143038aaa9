"""The demand planner's answer to one market: forecasts with intervals, a plan, approvals.

`plan_demand` is the whole pipeline (history → base levels → New-Year ratios → trend calls →
predictive distributions → exact plan); `DemandAnswer.to_json` writes the answer line of
`DEMAND_FORMAT.md`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from shopcrew.agents.demand.distribution import Branch, daily_quantiles, moment_matched
from shopcrew.agents.demand.forecast import MarketForecast, SkuForecast, forecast_market
from shopcrew.agents.demand.plan import PrepositionPlan, optimise_plan
from shopcrew.agents.demand.settings import DemandSettings
from shopcrew.tools.records.demand import DemandMarket, cell_cost

__all__ = ["ApprovalNeed", "DemandAnswer", "SeriesForecast", "plan_demand"]

_LEVELS = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class SeriesForecast:
    """One SKU × region series: the point forecast (the daily median) and the 80% interval."""

    point: list[float]
    lo: list[float]
    hi: list[float]


@dataclass(frozen=True)
class ApprovalNeed:
    """A SKU the planner would not stock as proposed without a person's approval."""

    sku: str
    reason: str
    units: float
    """Units the plan places (all forward regions)."""
    stock_value: float
    """unit_cost × units."""
    money_at_risk: float
    """What the leftovers would cost if demand fell at its 10% quantile."""
    horizon_low: float
    """10% quantile of the SKU's horizon demand (all regions)."""
    horizon_high: float
    """90% quantile."""


@dataclass(frozen=True)
class DemandAnswer:
    """Everything the planner says about one market."""

    market_id: str
    forecast: MarketForecast
    series: dict[str, dict[str, SeriesForecast]]
    plan: PrepositionPlan
    approvals: tuple[ApprovalNeed, ...]

    def to_json(self) -> dict[str, Any]:
        """The answer line of DEMAND_FORMAT.md."""
        return {
            "id": self.market_id,
            "forecast": {
                sku: {
                    region: {"point": s.point, "lo": s.lo, "hi": s.hi}
                    for region, s in by_region.items()
                }
                for sku, by_region in self.series.items()
            },
            "plan": self.plan.units(),
            "approvals": [{"sku": a.sku, "reason": a.reason} for a in self.approvals],
        }


def _series(sku: SkuForecast, index: int) -> SeriesForecast:
    scenarios = [(s.weight, s.mean[index], s.daily_spread) for s in sku.scenarios]
    lo, mid, hi = daily_quantiles(scenarios, dispersion=sku.dispersion, levels=_LEVELS)
    return SeriesForecast(
        point=[round(float(v), 3) for v in mid],
        lo=[float(v) for v in lo],
        hi=[float(v) for v in np.maximum(hi, lo)],
    )


def _branches(
    market: DemandMarket, forecast: MarketForecast
) -> dict[tuple[str, str], list[Branch]]:
    out: dict[tuple[str, str], list[Branch]] = {}
    regions = forecast.history.regions
    for region in market.forward_regions:
        r = regions.index(region.id)
        for sku_id, sku in forecast.skus.items():
            product = market.sku(sku_id)
            out[(sku_id, region.id)] = [
                Branch(
                    s.weight,
                    moment_matched(
                        float(s.mean[r].sum()), dispersion=sku.dispersion, spread=s.spread
                    ),
                    cell_cost(market, product, region, written_off=s.written_off),
                )
                for s in sku.scenarios
            ]
    return out


def _total_quantiles(sku: SkuForecast) -> tuple[float, float]:
    totals = [(s.weight, np.asarray([s.mean.sum()]), s.spread) for s in sku.scenarios]
    lo, hi = daily_quantiles(totals, dispersion=sku.dispersion, levels=(0.1, 0.9))
    return float(lo[0]), float(hi[0])


def _approvals(
    market: DemandMarket, forecast: MarketForecast, plan: PrepositionPlan
) -> tuple[ApprovalNeed, ...]:
    needs = []
    for sku_id, sku in forecast.skus.items():
        if not sku.trend.flagged:
            continue
        cells = [c for c in plan.cells if c.sku == sku_id]
        units = sum(c.units for c in cells)
        low, high = _total_quantiles(sku)
        at_risk = sum(c.low_case_loss for c in cells)
        call = sku.trend
        reason = (
            f"sales rose {np.exp(call.base_excess):.1f}x over the last weeks beyond last "
            f"year's pattern ({call.last_week:.0f}/day now, {call.base:.0f}/day before); a fad "
            f"would collapse: horizon demand 80% in [{low:.0f}, {high:.0f}], {units:.0f} units "
            f"placed, {at_risk:.0f} {market.currency} at risk if it does"
        )
        needs.append(
            ApprovalNeed(
                sku_id,
                reason,
                units,
                units * market.sku(sku_id).unit_cost,
                at_risk,
                low,
                high,
            )
        )
    return tuple(needs)


def _lifted(forecast: MarketForecast, lifts: Mapping[str, float]) -> MarketForecast:
    """The forecast with some SKUs' demand multiplied (e.g. by a campaign that will run)."""
    skus = dict(forecast.skus)
    for sku_id, lift in lifts.items():
        if sku_id in skus:
            sku = skus[sku_id]
            scenarios = tuple(replace(s, mean=s.mean * lift) for s in sku.scenarios)
            skus[sku_id] = replace(sku, mean=sku.mean * lift, scenarios=scenarios)
    return replace(forecast, skus=skus)


def _limits(
    market: DemandMarket, forecast: MarketForecast, caps: Mapping[str, float]
) -> dict[tuple[str, str], int]:
    """A SKU's cap on forward units shared out over regions by their expected demand."""
    regions = forecast.history.regions
    limits: dict[tuple[str, str], int] = {}
    for sku_id, cap in caps.items():
        if sku_id not in forecast.skus:
            continue
        demand = {
            r.id: float(forecast.skus[sku_id].mean[regions.index(r.id)].sum())
            for r in market.forward_regions
        }
        total = sum(demand.values()) or 1.0
        for region_id, units in demand.items():
            limits[(sku_id, region_id)] = int(cap * units / total)
    return limits


def plan_demand(
    market: DemandMarket,
    settings: DemandSettings | None = None,
    *,
    lifts: Mapping[str, float] | None = None,
    caps: Mapping[str, float] | None = None,
) -> DemandAnswer:
    """Forecasts every series of the market and plans the forward stock.

    Args:
        market: The market (its history, calendar, costs and constraints).
        settings: The planner's judgement calls; the defaults if None.
        lifts: SKU → multiplier of its demand (a campaign the merchant will run).
        caps: SKU → the most units it may place over all forward regions (what the central
            warehouse holds).

    Returns:
        The forecasts (daily median and 80% interval per SKU × region), the exact plan over
        the forecast distributions, and the SKUs whose stocking needs a person's approval.
    """
    forecast = _lifted(forecast_market(market, settings), lifts or {})
    regions = forecast.history.regions
    series = {
        sku_id: {region: _series(sku, i) for i, region in enumerate(regions)}
        for sku_id, sku in forecast.skus.items()
    }
    home = regions.index(market.home_region)
    home_demand = sum(float(sku.mean[home].sum()) for sku in forecast.skus.values())
    plan = optimise_plan(
        market,
        _branches(market, forecast),
        home_demand=home_demand,
        limits=_limits(market, forecast, caps or {}),
    )
    return DemandAnswer(market.id, forecast, series, plan, _approvals(market, forecast, plan))
