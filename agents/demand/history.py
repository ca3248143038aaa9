"""A market's sales history as arrays, with the calendar effects that the history shows.

Per SKU: daily units per region, the weekday profile, the days disturbed by the merchant's
promotions and the platform events (双11, 618 and the lulls around them), and the uplift its
past promotions showed. Everything downstream works on "clean" units: sales divided by the
weekday factor, with disturbed days left out (NaN).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shopcrew.tools.records.demand import DemandMarket, DemandSku, Promotion

__all__ = ["MarketHistory", "SkuHistory", "read_history"]

FloatArray = NDArray[np.float64]

_EVENT_LEAD_DAYS = 7
"""Days before a platform event counted as disturbed (the lull while buyers wait)."""
_EVENT_TAIL_DAYS = 7
"""Days after it counted as disturbed (the lull after the spike)."""
_PROMO_TAIL_DAYS = 3
"""Days after a promotion whose demand dips (about 0.85)."""
_POST_PROMO_FACTOR = 0.85
_PROFILE_DAYS = 364
_DEFAULT_ELASTICITY = 2.2
"""The promotion elasticity assumed when no past promotion shows one."""


@dataclass(frozen=True)
class SkuHistory:
    """One SKU's history as arrays (regions in the market's order)."""

    sku: DemandSku
    start: dt.date
    units: FloatArray
    """Regions × days, raw daily sales."""
    clean: FloatArray
    """Regions × days, sales / weekday factor; NaN on disturbed days."""
    weekday: FloatArray
    """The weekday profile (7 factors, Monday first, mean 1)."""
    elasticity: float
    """Promotion elasticity ε: demand × (1 − discount)^(−ε) on promotion days."""

    @property
    def days(self) -> int:
        """Days of history."""
        return int(self.units.shape[1])

    def index(self, day: dt.date) -> int:
        """The column of `day` (may fall outside the history)."""
        return (day - self.start).days


@dataclass(frozen=True)
class MarketHistory:
    """Every SKU's history, and the calendar of the market."""

    market: DemandMarket
    regions: tuple[str, ...]
    skus: tuple[SkuHistory, ...]
    weekday: FloatArray
    """The market-wide weekday profile."""

    def of(self, sku_id: str) -> SkuHistory:
        """The history of one SKU."""
        return next(h for h in self.skus if h.sku.id == sku_id)


def _disturbed(
    market: DemandMarket, sku: DemandSku, start: dt.date, days: int
) -> NDArray[np.bool_]:
    mask = np.zeros(days, dtype=bool)

    def mark(first: dt.date, last: dt.date) -> None:
        lo, hi = max((first - start).days, 0), min((last - start).days + 1, days)
        if lo < hi:
            mask[lo:hi] = True

    for event in market.calendar.events:
        mark(
            event.start - dt.timedelta(days=_EVENT_LEAD_DAYS),
            event.end + dt.timedelta(days=_EVENT_TAIL_DAYS),
        )
    for promo in market.calendar.promotions:
        if sku.id in promo.skus:
            mark(promo.start, promo.end + dt.timedelta(days=_PROMO_TAIL_DAYS))
    return mask


def _profile(total: FloatArray, start: dt.date, mask: NDArray[np.bool_]) -> FloatArray | None:
    """Weekday factors of a series against its centred 7-day mean (None: too little data)."""
    n = total.size
    if n < 35:
        return None
    kernel = np.ones(7) / 7.0
    smooth = np.convolve(total, kernel, mode="same")
    ok = ~mask & (smooth > 0)
    ok[:3] = ok[-3:] = False
    ok[: max(0, n - _PROFILE_DAYS)] = False
    if ok.sum() < 28:
        return None
    ratio = total / np.where(smooth > 0, smooth, 1.0)
    weekdays = (np.arange(n) + start.weekday()) % 7
    factors = np.ones(7)
    for day in range(7):
        pick = ok & (weekdays == day)
        if pick.any():
            factors[day] = float(np.sum(total[pick]) / np.sum(smooth[pick]))
    del ratio
    return np.asarray(factors / factors.mean(), dtype=np.float64)


def _shrunk(own: FloatArray | None, market: FloatArray, volume: float) -> FloatArray:
    if own is None:
        return market
    weight = volume / (volume + 2000.0)
    mixed = weight * own + (1.0 - weight) * market
    return np.asarray(mixed / mixed.mean(), dtype=np.float64)


def _promo_uplift(
    clean: FloatArray, promo: Promotion, start: dt.date, weekday_free: FloatArray
) -> tuple[float, float] | None:
    """(log uplift, −log(1 − discount)) of one past promotion, from the SKU total."""
    lo, hi = (promo.start - start).days, (promo.end - start).days + 1
    if lo < 28 or hi > clean.size or promo.discount <= 0:
        return None
    before = weekday_free[lo - 28 : lo]
    before = before[np.isfinite(before)]
    base = float(np.mean(before)) if before.size >= 10 else 0.0
    during = float(np.mean(clean[lo:hi]))
    if base <= 0.5 or during <= 0:
        return None
    return math.log(during / base), -math.log(1.0 - promo.discount)


def _elasticity(
    market: DemandMarket, sku: DemandSku, total: FloatArray, clean_total: FloatArray, start: dt.date
) -> float | None:
    points = [
        _promo_uplift(total, promo, start, clean_total)
        for promo in market.calendar.promotions
        if sku.id in promo.skus and promo.end < market.cutoff
    ]
    found = [p for p in points if p is not None]
    if not found:
        return None
    return sum(u for u, _ in found) / sum(x for _, x in found)


def read_history(market: DemandMarket) -> MarketHistory:
    """Arrays, weekday profiles and promotion elasticities of every SKU of the market."""
    regions = tuple(r.id for r in market.regions)
    raw: list[tuple[DemandSku, FloatArray, NDArray[np.bool_], FloatArray | None]] = []
    for sku in market.skus:
        units = np.asarray([market.history[sku.id][r] for r in regions], dtype=np.float64)
        mask = _disturbed(market, sku, sku.history_start, units.shape[1])
        raw.append((sku, units, mask, _profile(units.sum(axis=0), sku.history_start, mask)))
    profiles = [p * u.sum() for _, u, _, p in raw if p is not None]
    overall = np.sum(profiles, axis=0) if profiles else np.ones(7)
    overall = overall / overall.mean()
    built: list[tuple[DemandSku, FloatArray, FloatArray, FloatArray, float | None]] = []
    for sku, units, mask, own in raw:
        weekday = _shrunk(own, overall, float(units[:, -_PROFILE_DAYS:].sum()))
        weekdays = (np.arange(units.shape[1]) + sku.history_start.weekday()) % 7
        clean = units / weekday[weekdays]
        total = clean.sum(axis=0)
        clean_total = np.where(mask, np.nan, total)
        elasticity = _elasticity(market, sku, total, clean_total, sku.history_start)
        clean[:, mask] = np.nan
        built.append((sku, units, clean, weekday, elasticity))
    known = [e for *_, e in built if e is not None and 0 < e < 6]
    fallback = float(np.median(known)) if known else _DEFAULT_ELASTICITY
    skus = tuple(
        SkuHistory(
            sku=sku,
            start=sku.history_start,
            units=units,
            clean=clean,
            weekday=weekday,
            elasticity=e if e is not None and 0 < e < 6 else fallback,
        )
        for sku, units, clean, weekday, e in built
    )
    return MarketHistory(market=market, regions=regions, skus=skus, weekday=overall)


def promo_factors(market: DemandMarket, history: SkuHistory, days: list[dt.date]) -> FloatArray:
    """Planned promotions' multipliers on the given days (1 where none)."""
    factors = np.ones(len(days))
    for promo in market.calendar.promotions:
        if history.sku.id not in promo.skus:
            continue
        lift = (1.0 - promo.discount) ** (-history.elasticity)
        tail_end = promo.end + dt.timedelta(days=_PROMO_TAIL_DAYS)
        for i, day in enumerate(days):
            if promo.start <= day <= promo.end:
                factors[i] *= lift
            elif promo.end < day <= tail_end:
                factors[i] *= _POST_PROMO_FACTOR
    return factors
