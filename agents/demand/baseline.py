"""The base level of each SKU: statsforecast models, chosen per series by a rolling-origin backtest.

The series is the SKU's clean daily units (all regions, weekday-adjusted, promotion and
platform-event days filled from their neighbours). Each candidate forecasts the next 28 days
from the last `_FIT_DAYS`; its level is the mean of that forecast. Candidates: a window
average, simple and damped-trend exponential smoothing (AutoETS "ANN" / "AAN" damped), an
AR(1) with mean (ARIMA), seasonal naive, and for intermittent series Croston (SBA), TSB and
ADIDA. The backtest forecasts the 28 days after each of the origins 28, 56 and 84 days before
the cutoff; the model with the smallest mean absolute log error over the SKUs of the same
category (and intermittency) is kept, one SKU's three origins being too few to choose on, and
the window average stays unless the winner's error is 10% lower. The same model then gives the
level at last year's aligned cutoff, so the New-Year ratio is read against the level it will
multiply.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shopcrew.agents.demand.history import MarketHistory, SkuHistory

__all__ = ["BaseLevel", "base_levels", "clean_total"]

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
Fitter = Callable[[FloatArray, int], float]

HORIZON = 28
_FIT_DAYS = 182
_ORIGINS = (28, 56, 84)
_MARGIN = 0.9
"""Another model replaces the window average only when its backtest error is this much lower."""
_INTERMITTENT_ZEROS = 0.5
"""Share of zero days above which the intermittent-demand models are tried."""
_ARIMA_MIN_UNITS = 5.0
"""Units a day below which ARIMA is not tried (its fit costs ~25 ms and adds nothing there)."""


@dataclass(frozen=True)
class BaseLevel:
    """A SKU's chosen base model and its levels (units a day, all regions)."""

    model: str
    now: float
    """The level for the horizon, from the history up to the cutoff."""
    last_year: float | None
    """The same model's level at last year's aligned cutoff (None: not covered)."""
    errors: dict[str, float]
    """Backtest mean absolute log error per candidate."""


def clean_total(sku: SkuHistory) -> FloatArray:
    """The SKU's clean daily units over all regions, disturbed days interpolated."""
    finite = np.isfinite(sku.clean).any(axis=0)
    total = np.nansum(sku.clean, axis=0)
    if not finite.any():
        return np.asarray(sku.units.sum(axis=0), dtype=np.float64)
    idx = np.arange(total.size)
    return np.asarray(np.interp(idx, idx[finite], total[finite]), dtype=np.float64)


def _mean_forecast(model: object, y: FloatArray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.forecast(y=y, h=HORIZON)  # type: ignore[attr-defined]
    value = float(np.mean(result["mean"]))
    return max(value, 0.0) if math.isfinite(value) else math.nan


def _candidates(window: int, intermittent: bool, busy: bool) -> dict[str, Fitter]:
    from statsforecast.models import (
        ADIDA,
        ARIMA,
        TSB,
        AutoETS,
        CrostonSBA,
        SeasonalNaive,
        WindowAverage,
    )

    fitters: dict[str, Fitter] = {
        "window": lambda y, _: _mean_forecast(WindowAverage(window_size=window), y),
        "seasonal_naive": lambda y, _: _mean_forecast(SeasonalNaive(season_length=7), y),
        "ses": lambda y, _: _mean_forecast(AutoETS(model="ANN"), y),
        "damped": lambda y, _: _mean_forecast(AutoETS(model="AAN", damped=True), y[-91:]),
    }
    if busy:
        fitters["ar1"] = lambda y, _: _mean_forecast(
            ARIMA(order=(1, 0, 0), include_mean=True), y[-91:]
        )
    if intermittent:
        fitters["croston_sba"] = lambda y, _: _mean_forecast(CrostonSBA(), y)
        fitters["tsb"] = lambda y, _: _mean_forecast(TSB(alpha_d=0.1, alpha_p=0.1), y)
        fitters["adida"] = lambda y, _: _mean_forecast(ADIDA(), y)
    return fitters


def _log_error(level: float, actual: float) -> float:
    if math.isnan(level):
        return math.inf
    return abs(math.log((level + 0.5) / (actual + 0.5)))


def _choose(series: FloatArray, fitters: dict[str, Fitter], window: int) -> dict[str, float]:
    errors: dict[str, float] = {}
    for name, fit in fitters.items():
        scores = []
        for back in _ORIGINS:
            end = series.size - back
            if end < max(window, 28) + 7:
                continue
            actual = float(np.mean(series[end : end + HORIZON]))
            scores.append(_log_error(fit(series[max(0, end - _FIT_DAYS) : end], HORIZON), actual))
        if scores:
            errors[name] = float(np.mean(scores))
    return errors


def base_levels(
    history: MarketHistory, *, windows: dict[str, int], shift: int | None
) -> dict[str, BaseLevel]:
    """Chooses each SKU's base model by backtest and gives its levels now and a year back.

    Args:
        history: The market's history.
        windows: SKU → its window for the window average (short for new SKUs, long for slow).
        shift: Days back to last year's aligned cutoff (None: no earlier New Year).
    """
    prepared = {}
    pooled: dict[tuple[str, bool], dict[str, list[float]]] = {}
    for sku in history.skus:
        series = clean_total(sku)
        window = windows[sku.sku.id]
        raw = sku.units.sum(axis=0)[-_FIT_DAYS:]
        intermittent = float(np.mean(raw == 0)) > _INTERMITTENT_ZEROS
        busy = float(np.mean(raw)) >= _ARIMA_MIN_UNITS and sku.days >= _FIT_DAYS
        fitters = _candidates(window, intermittent, busy)
        errors = _choose(series, fitters, window)
        prepared[sku.sku.id] = (series, window, fitters, errors)
        group = pooled.setdefault((sku.sku.category, intermittent), {})
        for name, error in errors.items():
            group.setdefault(name, []).append(error)
    out: dict[str, BaseLevel] = {}
    for sku in history.skus:
        series, window, fitters, errors = prepared[sku.sku.id]
        raw = sku.units.sum(axis=0)[-_FIT_DAYS:]
        group = pooled[(sku.sku.category, float(np.mean(raw == 0)) > _INTERMITTENT_ZEROS)]
        shared = {n: float(np.mean(v)) for n, v in group.items() if n in errors}
        model = min(shared, key=shared.__getitem__) if shared else "window"
        if "window" in shared and shared[model] > _MARGIN * shared["window"]:
            model = "window"
        fit = fitters[model]
        now = fit(series[-_FIT_DAYS:], HORIZON)
        if math.isnan(now):
            model, now = "window", fitters["window"](series[-_FIT_DAYS:], HORIZON)
        last_year = None
        if shift is not None and sku.days - shift >= max(window, 28):
            end = sku.days - shift
            last_year = fit(series[max(0, end - _FIT_DAYS) : end], HORIZON)
            if math.isnan(last_year):
                last_year = None
        out[sku.sku.id] = BaseLevel(model, now, last_year, errors)
        logger.debug("SKU %s: base model %s (errors %s)", sku.sku.id, model, errors)
    return out
