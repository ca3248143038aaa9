"""Fads: a recent rise unlike what the SKU (or its category) showed at the same point last year.

A trend SKU's last weeks rose far beyond last year's New-Year build-up. Whether the rise
holds (a hit) or collapses after its peak (a fad) cannot be told from the history, so the
forecast becomes a mixture of both: a hype curve 1 + (K − 1)·exp(−(peak − t)/w) is fitted to the
last five weeks on a grid of peak days, widths and heights (its posterior weights the
scenarios); after the peak a hit holds near its peak and a fad falls back to the base
exponentially. Leftovers of a fad are written off, so a plan that stocks it goes to a
person.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln

from shopcrew.agents.demand.history import MarketHistory, SkuHistory

__all__ = ["HypeScenarios", "TrendCall", "detect_trend", "hype_scenarios"]

FloatArray = NDArray[np.float64]

_BASE_EXCESS = 1.0
"""Log growth of the last two weeks over six to ten weeks back, beyond last year's."""
_Z = 2.5
"""How many noise standard deviations the weekly excess must clear."""
_MIN_UNITS = 5.0
"""Units a day (all regions) below which a rise is not told from noise."""
_FIT_DAYS = 35
_PEAKS = np.arange(-3, 11, dtype=np.float64)
"""Days from the cutoff to the peak considered: a rise seen now peaks within about ten days."""
_MAX_FURTHER_RISE = 3.0
"""The peak is at most this many times the level at the cutoff."""
_TEMPER = 0.3
"""Power on the likelihood: the hype curve is a sketch, so its fit is not trusted fully."""
_WIDTHS = np.array([4.0, 5.0, 6.5, 8.0, 10.0, 12.0, 15.0])
_HEIGHTS = np.exp(np.linspace(math.log(1.5), math.log(80.0), 30))
_HOLDS = np.array([0.85, 0.95, 1.05])
_FALLS = np.array([3.0, 5.0, 8.0])


@dataclass(frozen=True)
class TrendCall:
    """Whether a SKU's recent rise looks like a trend, with the evidence."""

    sku_id: str
    flagged: bool
    week_excess: float
    """Log growth of the last 7 days over the 14 before, minus last year's (or the category's)."""
    base_excess: float
    """Log growth of the last 14 days over days 42-70 back, minus last year's."""
    z: float
    last_week: float
    """Units a day over the last 7 days, all regions."""
    base: float
    """Units a day before the rise, all regions."""


def _window(total: FloatArray, ok: NDArray[np.bool_], back: int, upto: int) -> float:
    n = total.size
    lo, hi = max(n - back, 0), n - upto
    pick = ok[lo:hi]
    return float(np.mean(total[lo:hi][pick])) if hi > lo and pick.any() else math.nan


def _growth(clean: FloatArray, end: int) -> tuple[float, float, float, float, float]:
    """(log week growth, log base growth, last week, two weeks before, base) up to column end."""
    part = clean[:, :end]
    total = np.nansum(part, axis=0)
    ok: NDArray[np.bool_] = np.asarray(np.isfinite(part).any(axis=0), dtype=bool)
    week = _window(total, ok, 7, 0)
    before = _window(total, ok, 21, 7)
    recent = _window(total, ok, 14, 0)
    base = _window(total, ok, 70, 42)
    if math.isnan(base):
        base = _window(
            total, ok, min(total.size, 70), max(total.size - 14, 0) if total.size > 28 else 0
        )
    g_week = math.log((week + 0.5) / (before + 0.5)) if not math.isnan(before) else 0.0
    g_base = math.log((recent + 0.5) / (base + 0.5)) if not math.isnan(base) else g_week
    return g_week, g_base, week, before, base


def _last_year(
    history: MarketHistory, sku: SkuHistory, shift: int | None
) -> tuple[float, float] | None:
    if shift is None or sku.days <= shift + 70:
        return None
    g_week, g_base, *_ = _growth(sku.clean, sku.days - shift)
    return g_week, g_base


def detect_trend(
    history: MarketHistory,
    sku: SkuHistory,
    *,
    shift: int | None,
    dispersion: float,
    week_excess: float = 0.5,
) -> TrendCall:
    """Calls whether `sku` is on a trend (a hit or a fad).

    Args:
        history: The market, for the category's growth last year.
        sku: The SKU.
        shift: Days back to the aligned point last year (None: no earlier New Year).
        dispersion: φ of the SKU's daily sales.
        week_excess: Log growth of the last week over the two before, beyond last year's,
            that counts as a rise.
    """
    g_week, g_base, week, before, base = _growth(sku.clean, sku.days)
    expected = _last_year(history, sku, shift)
    if expected is None:
        peers = [
            e
            for other in history.skus
            if other.sku.category == sku.sku.category
            and (e := _last_year(history, other, shift)) is not None
        ]
        expected = (
            (float(np.median([p[0] for p in peers])), float(np.median([p[1] for p in peers])))
            if peers
            else (0.0, 0.0)
        )
    week_excess_min = week_excess
    week_excess, base_excess = g_week - expected[0], g_base - expected[1]
    noise = math.sqrt(dispersion / max(7 * week, 1.0) + dispersion / max(14 * before, 1.0))
    z = week_excess / noise if not math.isnan(before) else 0.0
    flagged = (
        week >= _MIN_UNITS
        and week_excess > week_excess_min
        and base_excess > _BASE_EXCESS
        and z > _Z
    )
    return TrendCall(
        sku.sku.id,
        flagged,
        week_excess,
        base_excess,
        z,
        week,
        base if not math.isnan(base) else 0.0,
    )


@dataclass(frozen=True)
class HypeScenarios:
    """The horizon's hype multipliers (over the base) with their weights, per branch."""

    hit: FloatArray
    """Scenarios × horizon days."""
    hit_weights: FloatArray
    fad: FloatArray
    fad_weights: FloatArray


def _rise(t: FloatArray, peak: FloatArray, width: FloatArray, height: FloatArray) -> FloatArray:
    return 1.0 + (height - 1.0) * np.exp(np.minimum(t - peak, 0.0) / width)


def _posterior(
    y: FloatArray, base: FloatArray, t: FloatArray, dispersion: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Grid posterior over (peak, width, height) of the last days' counts."""
    peak, width, height = np.meshgrid(_PEAKS, _WIDTHS, _HEIGHTS, indexing="ij")
    peak, width, height = peak.ravel(), width.ravel(), height.ravel()
    mean = base[None, :] * _rise(t[None, :], peak[:, None], width[:, None], height[:, None])
    mean = np.maximum(mean, 1e-6)
    if dispersion <= 1.0 + 1e-6:
        loglik = np.sum(y * np.log(mean) - mean - gammaln(y + 1), axis=1)
    else:
        size = mean / (dispersion - 1.0)
        p = 1.0 / dispersion
        loglik = np.sum(
            gammaln(y + size)
            - gammaln(size)
            - gammaln(y + 1)
            + size * math.log(p)
            + y * math.log(1 - p),
            axis=1,
        )
    now = _rise(np.zeros(1), peak, width, height)
    loglik = np.where(height <= _MAX_FURTHER_RISE * now, _TEMPER * loglik, -np.inf)
    weights = np.exp(loglik - loglik.max())
    return peak, width, height, weights / weights.sum()


def hype_scenarios(
    sku: SkuHistory, call: TrendCall, *, cutoff: dt.date, days: list[dt.date], dispersion: float
) -> HypeScenarios:
    """Hit and fad scenarios of the hype multiplier over the horizon days."""
    total = sku.units.sum(axis=0)[-_FIT_DAYS:]
    t = np.arange(-total.size + 1, 1, dtype=np.float64)
    weekdays = (np.arange(sku.days) + sku.start.weekday()) % 7
    base = np.full(total.size, max(call.base, 0.2)) * sku.weekday[weekdays][-total.size :]
    peak, width, height, weights = _posterior(total, base, t, dispersion)
    keep = weights > 1e-4 * weights.max()
    peak, width, height, weights = peak[keep], width[keep], height[keep], weights[keep]
    weights = weights / weights.sum()
    h = np.asarray([(d - cutoff).days for d in days], dtype=np.float64)
    rising = _rise(h[None, :], peak[:, None], width[:, None], height[:, None])
    after = h[None, :] > peak[:, None]
    hits = [np.where(after, 1.0 + (height[:, None] - 1.0) * hold, rising) for hold in _HOLDS]
    fads = [
        np.where(
            after,
            1.0 + (height[:, None] - 1.0) * np.exp(-(h[None, :] - peak[:, None]) / fall),
            rising,
        )
        for fall in _FALLS
    ]
    return HypeScenarios(
        hit=np.concatenate(hits),
        hit_weights=np.tile(weights, len(_HOLDS)) / len(_HOLDS),
        fad=np.concatenate(fads),
        fad_weights=np.tile(weights, len(_FALLS)) / len(_FALLS),
    )
