"""The New-Year effect as the history shows it: last year's horizon over last year's level.

Previous years are aligned on 正月初一, not on the calendar date: the level window ending at
the cutoff and each horizon day are shifted by the distance between the two New Years. A SKU's
ratio (horizon units a day / level units a day, all regions) is shrunk toward its category's
by how many units it rests on; each region's deviation (its share of the horizon over its
share of the level window) is shrunk toward the category's regional deviation. When the
history starts too late for last year's level window but covers last year's horizon, the
level is read after that New Year instead (`anchor == "after"`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from shopcrew.agents.demand.history import MarketHistory, SkuHistory

__all__ = [
    "Analog",
    "SeasonalRatios",
    "analog_of",
    "horizon_new_year",
    "previous_shift",
    "seasonal_ratios",
]

FloatArray = NDArray[np.float64]
Anchor = Literal["before", "after"]

_DISPERSION_GUESS = 2.5
"""φ assumed when weighing the noise of a ratio (the format's range is about 1.3-6)."""
_AFTER_WINDOW = (28, 84)
"""Days after last year's New Year read as its level when the window before is not covered."""
_SHAPE_SMOOTH = np.array([0.25, 0.5, 0.25])
_SHAPE_PRIOR_UNITS = 300.0


@dataclass(frozen=True)
class Analog:
    """One SKU's previous-year analog of the level window and the horizon (per region)."""

    level: FloatArray
    """Regions: mean clean units a day over last year's level window."""
    horizon: FloatArray
    """Regions × horizon days: clean units on last year's aligned horizon days."""
    anchor: Anchor
    window: int


def _mean_cols(values: FloatArray, lo: int, hi: int) -> FloatArray:
    part = values[:, lo:hi]
    counts = np.sum(np.isfinite(part), axis=1)
    return np.where(counts > 0, np.nansum(part, axis=1) / np.maximum(counts, 1), np.nan)


def _fill_days(values: FloatArray) -> FloatArray:
    """Disturbed (NaN) days of an analog from their neighbours."""
    out = values.copy()
    for row in out:
        bad = ~np.isfinite(row)
        if bad.all():
            row[:] = np.nan
        elif bad.any():
            idx = np.arange(row.size)
            row[bad] = np.interp(idx[bad], idx[~bad], row[~bad])
    return out


def analog_of(
    sku: SkuHistory,
    *,
    cutoff: dt.date,
    horizon: list[dt.date],
    new_year: dt.date,
    shift: int,
    window: int,
) -> Analog | None:
    """The analog `shift` days back (None when the history does not cover it)."""
    first = sku.index(horizon[0]) - shift
    last = sku.index(horizon[-1]) - shift
    if first < 0 or last >= sku.days:
        return None
    days = _fill_days(sku.clean[:, first : last + 1])
    end = sku.index(cutoff) - shift
    anchor: Anchor = "before"
    if end - window + 1 >= 0:
        level = _mean_cols(sku.clean, end - window + 1, end + 1)
    else:
        then = sku.index(new_year) - shift
        lo, hi = then + _AFTER_WINDOW[0], then + _AFTER_WINDOW[1]
        if hi > sku.days - 1:
            return None
        level, anchor = _mean_cols(sku.clean, lo, hi), "after"
    if not np.all(np.isfinite(level)) or not np.all(np.isfinite(days)):
        return None
    return Analog(level=level, horizon=days, anchor=anchor, window=window)


def horizon_new_year(history: MarketHistory, horizon: list[dt.date]) -> dt.date:
    """The New Year nearest the middle of the horizon."""
    middle = horizon[len(horizon) // 2]
    return min(history.market.calendar.cny_dates(), key=lambda d: abs((d - middle).days))


def previous_shift(history: MarketHistory, horizon: list[dt.date]) -> int | None:
    """Days back to the latest earlier New Year, aligned on the horizon's (None: none)."""
    now = horizon_new_year(history, horizon)
    dates = history.market.calendar.cny_dates()
    shifts = [(now - d).days for d in dates if d < now and (now - d).days > 200]
    return min(shifts, default=None)


@dataclass
class _Pool:
    num: FloatArray
    den: FloatArray
    daily: FloatArray
    count: int = 0

    @classmethod
    def empty(cls, regions: int, days: int) -> _Pool:
        return cls(np.zeros(regions), np.zeros(regions), np.zeros(days))

    def add(self, analog: Analog) -> None:
        self.num += analog.horizon.mean(axis=1)
        self.den += analog.level
        self.daily += analog.horizon.sum(axis=0)
        self.count += 1

    def log_ratio(self) -> float:
        return math.log((self.num.sum() + 0.05) / (self.den.sum() + 0.05))

    def regional(self) -> FloatArray:
        """Log of each region's horizon share over its level share."""
        h = (self.num + 0.02) / (self.num.sum() + 0.02 * self.num.size)
        lv = (self.den + 0.02) / (self.den.sum() + 0.02 * self.den.size)
        return np.asarray(np.log(h / lv), dtype=np.float64)


@dataclass(frozen=True)
class SeasonalRatios:
    """Per SKU: each region's ratio of horizon units to level units, and the daily shape."""

    ratio: dict[str, FloatArray]
    """SKU → regions: mean horizon units a day / level units a day."""
    shape: dict[str, FloatArray]
    """SKU → horizon days: the daily profile (mean 1)."""
    spread: dict[str, float]
    """SKU → the standard deviation of the log ratio left after pooling."""
    anchor: dict[str, Anchor | None]
    """SKU → where its own level was read last year (None: no own analog)."""
    shift: int | None
    """Days back to the latest earlier New Year aligned with this one (None: none)."""
    window: int
    pools: dict[str, float] = field(default_factory=dict)
    """Category → its pooled log ratio (for reports)."""


def _noise(num: float, den: float, days: int, window: int) -> float:
    """Variance of a log ratio of over-dispersed counts (units a day over days and window)."""
    return _DISPERSION_GUESS * (1.0 / (num * days + 0.5) + 1.0 / (den * window + 0.5))


def _between(pairs: list[tuple[float, float]], floor: float) -> float:
    """Method-of-moments variance of true deviations from (deviation, noise variance) pairs."""
    if len(pairs) < 3:
        return max(floor, 0.05)
    dev = np.asarray([d for d, _ in pairs])
    noise = np.asarray([v for _, v in pairs])
    return float(max(np.mean(dev**2) - np.mean(noise), floor))


def _collect(
    history: MarketHistory, cutoff: dt.date, horizon: list[dt.date], window: int, shift: int | None
) -> dict[str, Analog]:
    if shift is None:
        return {}
    found = {}
    new_year = horizon_new_year(history, horizon)
    for sku in history.skus:
        analog = analog_of(
            sku, cutoff=cutoff, horizon=horizon, new_year=new_year, shift=shift, window=window
        )
        if analog is not None:
            found[sku.sku.id] = analog
    return found


def seasonal_ratios(
    history: MarketHistory, *, cutoff: dt.date, horizon: list[dt.date], window: int
) -> SeasonalRatios:
    """Pooled New-Year ratios of every SKU for a level window of `window` days."""
    shift = previous_shift(history, horizon)
    analogs = _collect(history, cutoff, horizon, window, shift)
    n_regions, days = len(history.regions), len(horizon)
    pools: dict[tuple[str, Anchor], _Pool] = {}
    for sku in history.skus:
        analog = analogs.get(sku.sku.id)
        if analog is not None:
            key = (sku.sku.category, analog.anchor)
            pools.setdefault(key, _Pool.empty(n_regions, days)).add(analog)
            pools.setdefault(("*", analog.anchor), _Pool.empty(n_regions, days)).add(analog)
    sku_pairs, cell_pairs = [], []
    for sku in history.skus:
        analog = analogs.get(sku.sku.id)
        if analog is None:
            continue
        parent = pools[(sku.sku.category, analog.anchor)]
        own = _Pool.empty(n_regions, days)
        own.add(analog)
        num, den = float(own.num.sum()), float(own.den.sum())
        if parent.count > 1:
            sku_pairs.append((own.log_ratio() - parent.log_ratio(), _noise(num, den, days, window)))
        for r, dev in enumerate(own.regional() - parent.regional()):
            cell_pairs.append((float(dev), _noise(own.num[r], own.den[r], days, window)))
    tau_sku, tau_cell = _between(sku_pairs, 0.01), _between(cell_pairs, 0.005)
    out = SeasonalRatios({}, {}, {}, {}, shift, window)
    for sku in history.skus:
        _fill_sku(out, sku, analogs.get(sku.sku.id), pools, tau_sku, tau_cell, days, window)
    out.pools.update({f"{c}/{a}": p.log_ratio() for (c, a), p in pools.items()})
    return out


def _parent(
    pools: dict[tuple[str, Anchor], _Pool], category: str, anchor: Anchor, n_regions: int, days: int
) -> _Pool:
    for key in ((category, anchor), ("*", anchor), ("*", "before"), ("*", "after")):
        if key in pools:
            return pools[key]
    return _Pool.empty(n_regions, days)


def _fill_sku(
    out: SeasonalRatios,
    sku: SkuHistory,
    analog: Analog | None,
    pools: dict[tuple[str, Anchor], _Pool],
    tau_sku: float,
    tau_cell: float,
    days: int,
    window: int,
) -> None:
    n_regions = sku.units.shape[0]
    sku_id = sku.sku.id
    parent = _parent(pools, sku.sku.category, analog.anchor if analog else "before", n_regions, days)
    if parent.count == 0:
        out.ratio[sku_id] = np.ones(n_regions)
        out.shape[sku_id] = np.ones(days)
        out.spread[sku_id] = 0.5
        out.anchor[sku_id] = None
        return
    parent_log, parent_regional = parent.log_ratio(), parent.regional()
    if analog is None:
        out.ratio[sku_id] = np.exp(parent_log + 0.5 * parent_regional)
        out.shape[sku_id] = _smooth(parent.daily)
        out.spread[sku_id] = math.sqrt(tau_sku + tau_cell)
        out.anchor[sku_id] = None
        return
    own = _Pool.empty(n_regions, days)
    own.add(analog)
    num, den = float(own.num.sum()), float(own.den.sum())
    noise = _noise(num, den, days, window)
    weight = tau_sku / (tau_sku + noise)
    sku_log = weight * own.log_ratio() + (1 - weight) * parent_log
    regional = np.empty(n_regions)
    for r, dev in enumerate(own.regional()):
        cell_noise = _noise(own.num[r], own.den[r], days, window)
        w = tau_cell / (tau_cell + cell_noise)
        regional[r] = w * dev + (1 - w) * parent_regional[r]
    out.ratio[sku_id] = np.exp(sku_log + regional)
    units = float(own.daily.sum())
    w_shape = units / (units + _SHAPE_PRIOR_UNITS)
    out.shape[sku_id] = w_shape * _smooth(own.daily) + (1 - w_shape) * _smooth(parent.daily)
    out.spread[sku_id] = math.sqrt(tau_sku * (1 - weight) + tau_cell * 0.5)
    out.anchor[sku_id] = analog.anchor


def _smooth(daily: FloatArray) -> FloatArray:
    padded = np.concatenate([daily[:1], daily, daily[-1:]])
    smooth = np.convolve(padded, _SHAPE_SMOOTH, mode="valid")
    mean = float(smooth.mean())
    return smooth / mean if mean > 0 else np.ones_like(smooth)
