"""Daily mean forecasts per SKU × region: level × New-Year ratio × shape × weekday × promotions."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shopcrew.agents.demand.baseline import BaseLevel, base_levels
from shopcrew.agents.demand.history import MarketHistory, SkuHistory, promo_factors, read_history
from shopcrew.agents.demand.seasonal import (
    SHARE_DAYS,
    SeasonalRatios,
    previous_shift,
    seasonal_ratios,
)
from shopcrew.agents.demand.settings import DemandSettings
from shopcrew.agents.demand.trend import TrendCall, detect_trend, hype_scenarios
from shopcrew.tools.records.demand import DemandMarket

__all__ = ["MarketForecast", "SkuForecast", "forecast_market"]

FloatArray = NDArray[np.float64]

LONG_WINDOW = 28
SHORT_WINDOW = 14
SLOW_WINDOW = 56
_WINDOWS = (SHORT_WINDOW, LONG_WINDOW, SLOW_WINDOW)
_YOUNG_DAYS = 120
"""A SKU with less history than this is levelled on its last SHORT_WINDOW days."""
_SLOW_UNITS = 60.0
"""A SKU that sold fewer units than this over LONG_WINDOW days is levelled on SLOW_WINDOW."""


@dataclass(frozen=True)
class Scenario:
    """One way the horizon may go, with the daily means it implies."""

    name: str
    """"base", or "hit" / "fad" for a trend SKU."""
    weight: float
    mean: FloatArray
    """Regions × days."""
    spread: float
    """Relative standard deviation of the horizon total's mean within this scenario."""
    daily_spread: float
    """The same for one day's mean (adds the noise of the daily shape)."""
    written_off: bool
    """Leftovers are written off in this scenario."""


@dataclass(frozen=True)
class SkuForecast:
    """One SKU's forecast over the horizon."""

    sku_id: str
    mean: FloatArray
    """Regions × days: the forecast daily mean (over the scenarios)."""
    level: FloatArray
    """Regions: the clean daily level at the cutoff."""
    spread: float
    """Standard deviation of the log of the horizon total's mean (model uncertainty)."""
    window: int
    dispersion: float
    """φ: the variance-to-mean ratio of daily sales around their mean."""
    scenarios: tuple[Scenario, ...]
    trend: TrendCall
    base: BaseLevel
    """The base model the backtest chose, and its levels."""


@dataclass(frozen=True)
class MarketForecast:
    """Every SKU's forecast, with the history it came from."""

    history: MarketHistory
    days: list[dt.date]
    skus: dict[str, SkuForecast]


def _horizon_days(market: DemandMarket) -> list[dt.date]:
    return [market.horizon.start + dt.timedelta(days=k) for k in range(market.horizon.days)]


def _mean_level(values: FloatArray, window: int) -> FloatArray:
    recent = values[:, -window:]
    counts = np.sum(np.isfinite(recent), axis=1)
    return np.asarray(np.nansum(recent, axis=1) / np.maximum(counts, 1), dtype=np.float64)


def _level(history: SkuHistory, total: float) -> FloatArray:
    """Each region's clean level: the SKU's base level split by long-run shares."""
    long_run = _mean_level(history.clean, min(SHARE_DAYS, history.days))
    if long_run.sum() <= 0:
        recent = history.units[:, -LONG_WINDOW:].sum(axis=1)
        long_run = recent if recent.sum() > 0 else np.ones_like(recent)
    return np.asarray(total * long_run / long_run.sum(), dtype=np.float64)


def _window_of(sku: SkuHistory) -> int:
    if sku.days < _YOUNG_DAYS:
        return SHORT_WINDOW
    if float(sku.units[:, -LONG_WINDOW:].sum()) < _SLOW_UNITS and sku.days >= SLOW_WINDOW * 2:
        return SLOW_WINDOW
    return LONG_WINDOW


def _one_sku(
    history: MarketHistory,
    sku: SkuHistory,
    ratios: SeasonalRatios,
    days: list[dt.date],
    base: BaseLevel,
    settings: DemandSettings,
) -> SkuForecast:
    market = history.market
    window = ratios.window
    level = _level(sku, base.now)
    sku_id = sku.sku.id
    weekday = sku.weekday[[d.weekday() for d in days]]
    promo = promo_factors(market, sku, days)
    daily = ratios.shape[sku_id] * weekday * promo
    per_level = (ratios.ratio[sku_id] * ratios.regional[sku_id])[:, None] * daily[None, :]
    mean = level[:, None] * per_level
    dispersion = dispersion_of(sku)
    noise = dispersion / max(base.now * window, 1.0)
    size = settings.amplitude_spread * math.log(max(ratios.ratio[sku_id], 1e-3))
    spread = float(np.sqrt(ratios.spread[sku_id] ** 2 + noise + size**2))
    call = detect_trend(
        history, sku, shift=ratios.shift, dispersion=dispersion, week_excess=settings.week_excess
    )
    off = sku.sku.written_off_if_unsold
    scenarios: tuple[Scenario, ...]
    if not call.flagged:
        day_spread = math.sqrt(spread**2 + ratios.shape_noise[sku_id])
        scenarios = (Scenario("base", 1.0, mean, spread, day_spread, off),)
    else:
        scenarios = _trend_scenarios(
            sku, call, per_level, days, dispersion, spread, settings.fad_probability
        )
        mean = np.sum([s.weight * s.mean for s in scenarios], axis=0)
    return SkuForecast(sku_id, mean, level, spread, window, dispersion, scenarios, call, base)


def _trend_scenarios(
    sku: SkuHistory,
    call: TrendCall,
    per_level: FloatArray,
    days: list[dt.date],
    dispersion: float,
    spread: float,
    fad_probability: float,
) -> tuple[Scenario, ...]:
    """Hit and fad scenarios of a trend SKU: the base forecast × the hype multiplier."""
    long_run = _mean_level(sku.clean, min(SHARE_DAYS, sku.days))
    regions = long_run.size
    shares = long_run / long_run.sum() if long_run.sum() > 0 else np.full(regions, 1 / regions)
    base = call.base * shares[:, None] * per_level
    cutoff = sku.start + dt.timedelta(days=sku.days - 1)
    hype = hype_scenarios(sku, call, cutoff=cutoff, days=days, dispersion=dispersion)
    out = []
    for name, paths, weights, share in (
        ("hit", hype.hit, hype.hit_weights, 1.0 - fad_probability),
        ("fad", hype.fad, hype.fad_weights, fad_probability),
    ):
        expected = weights @ paths
        totals = paths @ base.sum(axis=0)
        center = float(weights @ totals)
        cv2 = float(weights @ (totals - center) ** 2) / max(center, 1e-9) ** 2
        written_off = name == "fad" or sku.sku.written_off_if_unsold
        total_spread = math.sqrt(cv2 + spread**2)
        out.append(
            Scenario(name, share, base * expected[None, :], total_spread, total_spread, written_off)
        )
    return tuple(out)


def dispersion_of(history: SkuHistory, *, days: int = 182) -> float:
    """φ from the last `days` days: Pearson χ² around a centred 15-day mean, pooled over regions."""
    units = history.units[:, -days:]
    weekday = history.weekday[(np.arange(history.days) + history.start.weekday()) % 7][-days:]
    kernel = np.ones(15) / 15.0
    chi2 = n = 0.0
    for row, clean in zip(units, history.clean[:, -days:], strict=True):
        filled = np.where(
            np.isfinite(clean), clean, np.nanmean(clean) if np.isfinite(clean).any() else 0.0
        )
        smooth = np.convolve(filled, kernel, mode="same") * weekday
        ok = np.isfinite(clean) & (smooth > 0.2)
        ok[:7] = ok[-7:] = False
        chi2 += float(np.sum((row[ok] - smooth[ok]) ** 2 / smooth[ok]))
        n += float(ok.sum())
    if n < 30:
        return 2.5
    return float(np.clip(chi2 / n * 15.0 / 14.0, 1.05, 8.0))


def forecast_market(market: DemandMarket, settings: DemandSettings | None = None) -> MarketForecast:
    """Forecasts every SKU of the market over its horizon."""
    settings = settings or DemandSettings()
    history = read_history(market)
    days = _horizon_days(market)
    windows = {sku.sku.id: _window_of(sku) for sku in history.skus}
    bases = base_levels(history, windows=windows, shift=previous_shift(history, days))
    last_year = {sku_id: base.last_year for sku_id, base in bases.items()}
    by_window = {
        w: seasonal_ratios(
            history,
            cutoff=market.cutoff,
            horizon=days,
            window=w,
            levels_last_year=last_year,
            regional_chi2=settings.regional_chi2,
        )
        for w in _WINDOWS
    }
    skus: dict[str, SkuForecast] = {}
    for sku in history.skus:
        sku_id = sku.sku.id
        ratios = by_window[windows[sku_id]]
        skus[sku_id] = _one_sku(history, sku, ratios, days, bases[sku_id], settings)
    return MarketForecast(history=history, days=days, skus=skus)
