"""Calibration of the planner's intervals on synthetic series whose truth is known."""

from __future__ import annotations

import datetime as dt

import numpy as np

from shopcrew.agents.demand import plan_demand
from shopcrew.agents.demand.distribution import daily_quantiles
from tests.support.demand_markets import tiny_market


def _nb(rng: np.random.Generator, mean: np.ndarray, phi: float) -> np.ndarray:
    size = mean / (phi - 1.0)
    return rng.negative_binomial(size, 1.0 / phi)


def test_true_distribution_quantiles_cover_what_the_format_expects() -> None:
    rng = np.random.default_rng(7)
    means = np.full(20000, 3.0)
    lo, hi = daily_quantiles([(1.0, means, 0.0)], dispersion=2.0, levels=(0.1, 0.9))
    y = _nb(rng, means, 2.0)
    coverage = float(np.mean((lo <= y) & (y <= hi)))
    # small integer counts: the central 80% interval of integers covers about 90%
    assert 0.86 < coverage < 0.94


def test_planner_intervals_on_steady_synthetic_series_are_calibrated() -> None:
    rng = np.random.default_rng(11)
    days, horizon, lead, phi = 730, 28, 8, 2.0
    levels = {"h": 12.0, "x": 6.0, "y": 3.0, "z": 20.0}
    history = {
        f"s{i}": {
            r: _nb(rng, np.full(days, m * (1 + 0.2 * i)), phi).tolist() for r, m in levels.items()
        }
        for i in range(4)
    }
    market = tiny_market(history, cutoff=dt.date(2026, 1, 20), lead=lead, days=horizon)
    answer = plan_demand(market)
    covered = ideal = total = 0
    for i in range(4):
        for region, mean in levels.items():
            series = answer.series[f"s{i}"][region]
            true_mean = np.full(horizon, mean * (1 + 0.2 * i))
            lo, hi = daily_quantiles([(1.0, true_mean, 0.0)], dispersion=phi, levels=(0.1, 0.9))
            for _ in range(10):
                y = _nb(rng, true_mean, phi)
                ours = (np.asarray(series.lo) <= y) & (y <= np.asarray(series.hi))
                covered += int(np.sum(ours))
                ideal += int(np.sum((lo <= y) & (y <= hi)))
                total += horizon
    # near what the true quantiles cover on the same draws (not widened past it)
    assert abs(covered / total - ideal / total) < 0.05
    assert answer.approvals == ()
