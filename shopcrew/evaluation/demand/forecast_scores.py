"""Forecast scores of `DEMAND_FORMAT.md`: weighted MASE, coverage of the 80% intervals, MSIS80.

Per series (SKU × region) the absolute error is scaled by the in-sample mean absolute weekly
difference of the SKU's history in that region (lag 1 when that is 0; series where both are 0
are left out) and weighted by the series' revenue over the last 28 history days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import nbinom, poisson

from shopcrew.evaluation.demand.truth import DemandTruth, ParsedAnswer
from shopcrew.tools.records.demand import DemandMarket

__all__ = [
    "ForecastScore",
    "SeriesScore",
    "score_forecasts",
    "seasonal_naive",
    "true_quantiles",
]

_REVENUE_DAYS = 28
_ALPHA = 0.2
"""1 − the interval's nominal coverage: MSIS's penalty is 2/α = 10 per unit outside."""


@dataclass(frozen=True, slots=True)
class SeriesScore:
    """One series' figures (before market weighting)."""

    sku: str
    region: str
    scale: float
    """The MASE denominator (0: the series is left out of MASE and MSIS)."""
    weight: float
    """Revenue over the last 28 history days (unnormalised)."""
    mae: float
    mae_naive: float
    interval_score: float
    covered: int
    days: int


@dataclass(frozen=True, slots=True)
class ForecastScore:
    """One market's forecast figures."""

    mase: float
    """Revenue-weighted MASE of the answer."""
    mase_naive: float
    """The same for seasonal naive."""
    msis: float
    covered: int
    """Series-days with lo ≤ y ≤ hi, over every series."""
    days: int
    expected_covered: float
    """What the true 10%/90% quantiles cover in expectation, over the same series-days."""
    left_out: int
    """Series left out of MASE (both scales 0)."""
    series: tuple[SeriesScore, ...]


def _scale(history: NDArray[np.float64]) -> float:
    for lag in (7, 1):
        if history.size > lag:
            value = float(np.mean(np.abs(history[lag:] - history[:-lag])))
            if value > 0:
                return value
    return 0.0


def seasonal_naive(history: list[int], cutoff: dt.date, start: dt.date, days: int) -> list[float]:
    """The last 7 history days repeated by weekday over the horizon."""
    out: list[float] = []
    for k in range(days):
        back = (cutoff - (start + dt.timedelta(days=k))).days % 7
        out.append(float(history[len(history) - 1 - back]) if len(history) > back else 0.0)
    return out


def true_quantiles(
    mu: NDArray[np.float64], phi: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The true daily 10% and 90% quantiles, and P(q10 ≤ Y ≤ q90), for means `mu`."""
    mu = np.maximum(mu, 1e-12)
    if phi <= 1.0 + 1e-9:
        lo, hi = poisson.ppf(0.1, mu), poisson.ppf(0.9, mu)
        inside = poisson.cdf(hi, mu) - poisson.cdf(lo - 1, mu)
    else:
        size, p = mu / (phi - 1.0), 1.0 / phi
        lo, hi = nbinom.ppf(0.1, size, p), nbinom.ppf(0.9, size, p)
        inside = nbinom.cdf(hi, size, p) - nbinom.cdf(lo - 1, size, p)
    return lo, hi, inside


def _interval_score(
    lo: NDArray[np.float64], hi: NDArray[np.float64], y: NDArray[np.float64]
) -> float:
    penalty = (2.0 / _ALPHA) * (np.maximum(lo - y, 0.0) + np.maximum(y - hi, 0.0))
    return float(np.mean(hi - lo + penalty))


def _one_series(
    market: DemandMarket,
    truth: DemandTruth,
    answer: ParsedAnswer | None,
    sku_id: str,
    region_id: str,
) -> tuple[SeriesScore, float]:
    days = market.horizon.days
    history = market.history[sku_id][region_id]
    y = np.asarray(truth.demand[sku_id][region_id], dtype=np.float64)
    series = None if answer is None else answer.forecast.get((sku_id, region_id))
    zeros = np.zeros(days)
    point, lo, hi = (zeros, zeros, zeros) if series is None else map(np.asarray, series)
    naive = np.asarray(seasonal_naive(history, market.cutoff, market.horizon.start, days))
    price = market.sku(sku_id).price
    _, _, inside = true_quantiles(
        np.asarray(truth.mu[sku_id][region_id]), truth.phi[sku_id][region_id]
    )
    score = SeriesScore(
        sku=sku_id,
        region=region_id,
        scale=_scale(np.asarray(history, dtype=np.float64)),
        weight=price * float(sum(history[-_REVENUE_DAYS:])),
        mae=float(np.mean(np.abs(point - y))),
        mae_naive=float(np.mean(np.abs(naive - y))),
        interval_score=_interval_score(lo, hi, y),
        covered=int(np.sum((lo <= y) & (y <= hi))),
        days=days,
    )
    return score, float(np.sum(inside))


def score_forecasts(
    market: DemandMarket, truth: DemandTruth, answer: ParsedAnswer | None
) -> ForecastScore:
    """Scores one market's forecasts (a missing series counts as 0 with no interval)."""
    scored: list[SeriesScore] = []
    expected = 0.0
    for sku in market.skus:
        for region in market.regions:
            series, inside = _one_series(market, truth, answer, sku.id, region.id)
            scored.append(series)
            expected += inside
    kept = [s for s in scored if s.scale > 0]
    weights = np.asarray([s.weight for s in kept])
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(kept), 1 / len(kept))
    scales = np.asarray([s.scale for s in kept])
    return ForecastScore(
        mase=float(np.sum(weights * np.asarray([s.mae for s in kept]) / scales)),
        mase_naive=float(np.sum(weights * np.asarray([s.mae_naive for s in kept]) / scales)),
        msis=float(np.sum(weights * np.asarray([s.interval_score for s in kept]) / scales)),
        covered=sum(s.covered for s in scored),
        days=sum(s.days for s in scored),
        expected_covered=expected,
        left_out=len(scored) - len(kept),
        series=tuple(scored),
    )
