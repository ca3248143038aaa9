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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
    "regional_shift",
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
SHARE_DAYS = 182
"""Days over which a region's share of a SKU is read (shares drift slowly; days are noisy)."""


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


@dataclass(frozen=True)
class SeasonalRatios:
    """Per SKU: the ratio of horizon units to level units, regional deviations and the shape."""

    ratio: dict[str, float]
    """SKU → mean horizon units a day / level units a day (all regions)."""
    regional: dict[str, FloatArray]
    """SKU → regions: the New-Year shift of each region's share (1 where none shows)."""
    shape: dict[str, FloatArray]
    """SKU → horizon days: the daily profile (mean 1)."""
    spread: dict[str, float]
    """SKU → the standard deviation of the log ratio left after pooling."""
    shape_noise: dict[str, float]
    """SKU → the variance of a day's log shape factor from the counts it was read on."""
    anchor: dict[str, Anchor | None]
    """SKU → where its own level was read last year (None: no own analog)."""
    shift: int | None
    """Days back to the latest earlier New Year aligned with this one (None: none)."""
    window: int
    pools: dict[str, float] = field(default_factory=dict)
    """Category/anchor → its pooled log ratio (for reports)."""


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
    history: MarketHistory,
    cutoff: dt.date,
    horizon: list[dt.date],
    window: int,
    shift: int | None,
    levels: Mapping[str, float | None],
) -> dict[str, Analog]:
    if shift is None:
        return {}
    found = {}
    new_year = horizon_new_year(history, horizon)
    for sku in history.skus:
        analog = analog_of(
            sku, cutoff=cutoff, horizon=horizon, new_year=new_year, shift=shift, window=window
        )
        if analog is None:
            continue
        level = levels.get(sku.sku.id)
        if analog.anchor == "before" and level is not None and analog.level.sum() > 0:
            analog = replace(analog, level=analog.level * (level / float(analog.level.sum())))
        found[sku.sku.id] = analog
    return found


def regional_shift(
    sku: SkuHistory, analog: Analog, *, cutoff: dt.date, shift: int, chi2: float
) -> FloatArray:
    """How last year's horizon moved the regions' shares, where it stands out of the noise.

    Each region's share of last year's horizon over its share of the SHARE_DAYS before last
    year's cutoff; kept only when the squared z-scores over the regions sum past
    `chi2` (most SKUs have no regional New-Year effect, and share drift is noisy).
    """
    end = sku.index(cutoff) - shift
    if end - SHARE_DAYS + 1 < 0:
        return np.ones(sku.units.shape[0])
    long_run = _mean_cols(sku.clean, end - SHARE_DAYS + 1, end + 1)
    horizon = analog.horizon.mean(axis=1)
    if horizon.sum() <= 0 or long_run.sum() <= 0:
        return np.ones(sku.units.shape[0])
    h_share = (horizon + 1e-3) / (horizon.sum() + 1e-3 * horizon.size)
    l_share = (long_run + 1e-3) / (long_run.sum() + 1e-3 * long_run.size)
    deviation = h_share / l_share
    days = analog.horizon.shape[1]
    noise = _DISPERSION_GUESS * (1 / (horizon * days + 0.5) + 1 / (long_run * SHARE_DAYS + 0.5))
    if float(np.sum(np.log(deviation) ** 2 / noise)) <= chi2:
        return np.ones(sku.units.shape[0])
    return np.asarray(deviation, dtype=np.float64)


def seasonal_ratios(
    history: MarketHistory,
    *,
    cutoff: dt.date,
    horizon: list[dt.date],
    window: int,
    levels_last_year: Mapping[str, float | None] | None = None,
    regional_chi2: float = 80.0,
) -> SeasonalRatios:
    """Pooled New-Year ratios of every SKU for a level window of `window` days.

    Args:
        history: The market's history.
        cutoff: The last history day.
        horizon: The horizon's days.
        window: Days of the level window (used where no level is given).
        levels_last_year: SKU → its base model's level at last year's aligned cutoff, read
            instead of the window's mean (so the ratio multiplies the level it was read on).
        regional_chi2: Σ z² past which a regional New-Year shift is believed.
    """
    shift = previous_shift(history, horizon)
    analogs = _collect(history, cutoff, horizon, window, shift, levels_last_year or {})
    n_regions, days = len(history.regions), len(horizon)
    pools: dict[tuple[str, Anchor], _Pool] = {}
    for analog_sku, analog in analogs.items():
        category = history.of(analog_sku).sku.category
        for key in ((category, analog.anchor), ("*", analog.anchor)):
            pools.setdefault(key, _Pool.empty(n_regions, days)).add(analog)
    pairs = []
    for sku_id, analog in analogs.items():
        parent = pools[(history.of(sku_id).sku.category, analog.anchor)]
        if parent.count > 1:
            num, den = float(analog.horizon.mean(axis=1).sum()), float(analog.level.sum())
            own = math.log((num + 0.05) / (den + 0.05))
            pairs.append((own - parent.log_ratio(), _noise(num, den, days, window)))
    tau = _between(pairs, 0.01)
    out = SeasonalRatios({}, {}, {}, {}, {}, {}, shift, window)
    for sku in history.skus:
        _fill_sku(out, sku, analogs.get(sku.sku.id), pools, tau, cutoff=cutoff, chi2=regional_chi2)
    out.pools.update({f"{c}/{a}": p.log_ratio() for (c, a), p in pools.items()})
    return out


def _parent(pools: dict[tuple[str, Anchor], _Pool], category: str, anchor: Anchor) -> _Pool | None:
    for key in ((category, anchor), ("*", anchor), ("*", "before"), ("*", "after")):
        if key in pools:
            return pools[key]
    return None


def _fill_sku(
    out: SeasonalRatios,
    sku: SkuHistory,
    analog: Analog | None,
    pools: dict[tuple[str, Anchor], _Pool],
    tau: float,
    *,
    cutoff: dt.date,
    chi2: float,
) -> None:
    n_regions = sku.units.shape[0]
    sku_id = sku.sku.id
    parent = _parent(pools, sku.sku.category, analog.anchor if analog else "before")
    out.regional[sku_id] = np.ones(n_regions)
    out.anchor[sku_id] = None if analog is None else analog.anchor
    out.shape_noise[sku_id] = 0.0
    if parent is None:
        out.ratio[sku_id], out.spread[sku_id] = 1.0, 0.5
        out.shape[sku_id] = np.ones(len(out.shape.get(sku_id, ())) or 1)
        return
    days = parent.daily.size
    if analog is None:
        out.ratio[sku_id] = math.exp(parent.log_ratio())
        out.shape[sku_id] = _smooth(parent.daily)
        out.spread[sku_id] = math.sqrt(tau)
        out.shape_noise[sku_id] = _day_noise(parent.daily)
        return
    num, den = float(analog.horizon.mean(axis=1).sum()), float(analog.level.sum())
    weight = tau / (tau + _noise(num, den, days, out.window))
    own = math.log((num + 0.05) / (den + 0.05))
    out.ratio[sku_id] = math.exp(weight * own + (1 - weight) * parent.log_ratio())
    units = float(analog.horizon.sum())
    w_shape = units / (units + _SHAPE_PRIOR_UNITS)
    out.shape[sku_id] = w_shape * _smooth(analog.horizon.sum(axis=0)) + (1 - w_shape) * _smooth(
        parent.daily
    )
    out.spread[sku_id] = math.sqrt(tau * (1 - weight))
    out.shape_noise[sku_id] = w_shape**2 * _day_noise(analog.horizon.sum(axis=0)) + (
        1 - w_shape
    ) ** 2 * _day_noise(parent.daily)
    if out.shift is not None and analog.anchor == "before":
        out.regional[sku_id] = regional_shift(
            sku, analog, cutoff=cutoff, shift=out.shift, chi2=chi2
        )


def _day_noise(daily: FloatArray) -> float:
    """Variance of a smoothed day's log factor read on `daily` units (about three days)."""
    return _DISPERSION_GUESS / (3.0 * float(np.mean(daily)) + 1.0)


def _smooth(daily: FloatArray) -> FloatArray:
    padded = np.concatenate([daily[:1], daily, daily[-1:]])
    smooth = np.convolve(padded, _SHAPE_SMOOTH, mode="valid")
    mean = float(smooth.mean())
    return smooth / mean if mean > 0 else np.ones_like(smooth)
