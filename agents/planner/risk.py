"""Marketing planner, risk: the portfolio under the curve posteriors, and a floor it can keep.

The ROAS floor is checked on the true curves, which the planner only knows up to its
posterior. The portfolio GMV at an allocation b is a sum of independent campaigns, so its
posterior mean and variance are sums of per-campaign mixture moments over the (a, k)
grid. The uncertainty grows fast where a campaign is pushed beyond the budgets its history
saw, so the floor is kept as a chance constraint, E[GMV] − z·sd[GMV] ≥ floor·spend, and the
allocation is optimised under it directly: money is taken from uncertain extrapolations
first, and spend falls rather than moving into campaigns the planner barely knows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from shopcrew.agents.planner.fit import CurvePosterior

__all__ = [
    "StackedCurves",
    "optimise_under_floor",
]

FloatArray = NDArray[np.float64]
_TOLERANCE = 1e-7


@dataclass(frozen=True, slots=True, eq=False)
class StackedCurves:
    """The posteriors of a market's campaigns stacked as (campaigns, points) arrays."""

    a: FloatArray
    k: FloatArray
    w: FloatArray
    a2: FloatArray
    """E[a² | k] per point."""

    @classmethod
    def of(cls, curves: Sequence[CurvePosterior]) -> StackedCurves:
        """Stacks the posteriors in the given order."""
        return cls(
            np.stack([c.a for c in curves]),
            np.stack([c.k for c in curves]),
            np.stack([c.weight for c in curves]),
            np.stack([c.a2 for c in curves]),
        )

    def gmv(self, b: FloatArray) -> FloatArray:
        """Posterior mean GMV per campaign."""
        return np.asarray(np.sum(self.w * self.a * -np.expm1(-b[:, None] / self.k), axis=1))

    def marginal(self, b: FloatArray) -> FloatArray:
        """Posterior mean marginal ROAS per campaign."""
        return np.asarray(np.sum(self.w * self.a / self.k * np.exp(-b[:, None] / self.k), axis=1))

    def variance(self, b: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Posterior variance of each campaign's GMV and its derivative in the budget."""
        decay = np.exp(-b[:, None] / self.k)
        shape = 1.0 - decay
        slope = decay / self.k
        mean = np.sum(self.w * self.a * shape, axis=1)
        mean_slope = np.sum(self.w * self.a * slope, axis=1)
        second = np.sum(self.w * self.a2 * shape**2, axis=1)
        second_slope = np.sum(self.w * self.a2 * 2.0 * shape * slope, axis=1)
        var = np.maximum(second - mean**2, 0.0)
        return np.asarray(var), np.asarray(second_slope - 2.0 * mean * mean_slope)

    def gmv_sd(self, b: FloatArray) -> float:
        """Posterior sd of the portfolio GMV (campaigns are independent)."""
        return math.sqrt(float(self.variance(b)[0].sum()))

    def lower_gmv(self, b: FloatArray, z: float) -> float:
        """E[GMV] − z·sd[GMV] of the portfolio."""
        return float(self.gmv(b).sum()) - z * self.gmv_sd(b)


def optimise_under_floor(
    curves: StackedCurves,
    start: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    total_budget: float,
    need: float,
    z: float,
) -> FloatArray:
    """Maximises E[GMV] under E[GMV] − z·sd[GMV] ≥ need·spend, the total and the bounds.

    Args:
        curves: The stacked posteriors.
        start: A feasible allocation (the equal-marginal one at a raised θ); returned when
            the optimiser cannot improve on it.
        lo: Lower bounds.
        hi: Upper bounds (finite).
        total_budget: The most the allocation may spend.
        need: The ROAS the lower bound must reach.
        z: How many posterior sds the floor is kept by.

    Returns:
        The best feasible allocation found.
    """
    scale = max(float(start.sum()), float(lo.sum()), 1e-9)
    level = max(float(curves.gmv(start).sum()), 1e-9)

    def objective(x: FloatArray) -> tuple[float, FloatArray]:
        b = x * scale
        return -float(curves.gmv(b).sum()) / level, -curves.marginal(b) * scale / level

    def floor_gap(x: FloatArray) -> float:
        b = x * scale
        return (curves.lower_gmv(b, z) - need * float(b.sum())) / level

    def floor_jac(x: FloatArray) -> FloatArray:
        b = x * scale
        var, var_slope = curves.variance(b)
        sd = math.sqrt(max(float(var.sum()), 1e-300))
        grad = curves.marginal(b) - z * var_slope / (2.0 * sd) - need
        return np.asarray(grad * scale / level)

    constraints = [
        {"type": "ineq", "fun": floor_gap, "jac": floor_jac},
        {
            "type": "ineq",
            "fun": lambda x: (total_budget - float(x.sum()) * scale) / scale,
            "jac": lambda x: -np.ones_like(x),
        },
    ]
    x0 = np.clip(start, lo, hi) / scale
    result = minimize(
        objective,
        x0,
        jac=True,
        method="SLSQP",
        bounds=list(zip((lo / scale).tolist(), (hi / scale).tolist(), strict=True)),
        constraints=constraints,
        options={"maxiter": 200, "ftol": 1e-10},
    )
    best = np.clip(np.asarray(result.x, dtype=np.float64) * scale, lo, hi)
    feasible = floor_gap(best / scale) >= -_TOLERANCE and best.sum() <= total_budget * (1 + 1e-9)
    if feasible and curves.gmv(best).sum() >= curves.gmv(start).sum():
        return np.asarray(best)
    return np.asarray(start)
