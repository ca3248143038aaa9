"""The planner's portfolio risk: posterior moments and the chance-constrained allocation."""

from __future__ import annotations

import numpy as np
import pytest

from shopcrew.agents.planner.fit import fit_campaigns
from shopcrew.agents.planner.risk import StackedCurves, optimise_under_floor


def _curves(seed: int = 3) -> StackedCurves:
    rng = np.random.default_rng(seed)
    histories = []
    for i, (a, k, centre) in enumerate([(3000.0, 500.0, 400.0), (900.0, 80.0, 150.0)]):
        budgets = centre * (1 + rng.uniform(-0.2, 0.2, 28))
        gmv = a * -np.expm1(-budgets / k) * np.exp(0.15 * rng.normal(size=28) - 0.15**2 / 2)
        histories.append((f"c{i}", budgets.tolist(), gmv.tolist(), centre))
    return StackedCurves.of(fit_campaigns(histories).curves)


def test_variance_slope_matches_finite_differences() -> None:
    curves = _curves()
    b = np.array([420.0, 130.0])
    _, slope = curves.variance(b)
    step = 1e-3
    for i in range(2):
        up, down = b.copy(), b.copy()
        up[i] += step
        down[i] -= step
        numeric = (curves.variance(up)[0][i] - curves.variance(down)[0][i]) / (2 * step)
        assert slope[i] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_uncertainty_grows_away_from_the_history() -> None:
    curves = _curves()
    near = curves.variance(np.array([400.0, 150.0]))[0]
    far = curves.variance(np.array([2000.0, 900.0]))[0]
    assert np.all(np.sqrt(far) / curves.gmv(np.array([2000.0, 900.0])) > np.sqrt(near) / 3000)
    assert np.all(far > near)


def test_the_chance_constrained_plan_keeps_the_floor_and_beats_its_start() -> None:
    curves = _curves()
    lo, hi = np.array([10.0, 10.0]), np.array([1000.0, 1000.0])
    start = np.array([200.0, 60.0])
    need = (curves.lower_gmv(start, 2.0) / start.sum()) * 0.999
    best = optimise_under_floor(curves, start, lo, hi, 550.0, need, 2.0)
    assert curves.lower_gmv(best, 2.0) >= need * best.sum() - 1e-6
    assert best.sum() <= 550.0 + 1e-6
    assert curves.gmv(best).sum() >= curves.gmv(start).sum()
