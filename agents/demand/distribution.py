"""Predictive distributions of demand: negative binomial with model uncertainty, and mixtures.

Daily demand is negative binomial with variance φ·μ; the forecast's own error in μ (its
relative spread) adds (spread·μ)² to the variance. A count with mean m and variance v > m is
represented by the negative binomial with those two moments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import nbinom, poisson

from shopcrew.tools.records.demand import CellCost

__all__ = [
    "Branch",
    "CountDistribution",
    "daily_quantiles",
    "marginal_costs",
    "moment_matched",
]

FloatArray = NDArray[np.float64]

_TAIL = 1e-5


@dataclass(frozen=True)
class CountDistribution:
    """A count with mean `mean` and variance `variance` (≥ mean)."""

    mean: float
    variance: float

    def _frozen(self) -> Any:
        if self.mean <= 0:
            return poisson(1e-12)
        if self.variance <= self.mean * (1 + 1e-9):
            return poisson(self.mean)
        p = self.mean / self.variance
        return nbinom(self.mean * p / (1.0 - p), p)

    def survival(self, upto: int) -> FloatArray:
        """P(D ≥ n) for n = 1..upto."""
        return np.asarray(self._frozen().sf(np.arange(upto)), dtype=np.float64)

    def quantile(self, q: float) -> float:
        """The smallest n with P(D ≤ n) ≥ q."""
        return float(self._frozen().ppf(q))

    def cdf(self, n: float) -> float:
        """P(D ≤ n)."""
        return float(self._frozen().cdf(n))

    def top(self) -> int:
        """A count above which the probability is negligible."""
        return int(self._frozen().ppf(1.0 - _TAIL)) + 2


def moment_matched(mean: float, *, dispersion: float, spread: float) -> CountDistribution:
    """A count with mean `mean`, noise variance φ·mean and model variance (spread·mean)²."""
    mean = max(mean, 0.0)
    return CountDistribution(mean, dispersion * mean + (spread * mean) ** 2)


@dataclass(frozen=True)
class Branch:
    """One scenario of a cell's demand (e.g. "the rise holds" and "it collapses")."""

    weight: float
    demand: CountDistribution
    costs: CellCost
    """The cell's rates in this scenario (leftovers are written off for a fad)."""


def marginal_costs(branches: Sequence[Branch], *, limit: int | None = None) -> FloatArray:
    """The expected-cost change of each further unit placed, over the scenarios.

    g(n) = Σ_b w_b·[a + o_b − (u − s + o_b)·P_b(D ≥ n)], cut where it stays positive.
    """
    upto = max(b.demand.top() for b in branches)
    if limit is not None and limit <= 0:
        return np.zeros(0)
    if limit is not None:
        upto = min(upto, limit)
    upto = max(upto, 1)
    total = np.zeros(upto)
    for b in branches:
        c = b.costs
        gain = c.short - c.local + c.over
        total += b.weight * (c.placed + c.over - gain * b.demand.survival(upto))
    positive = np.nonzero(total >= 0)[0]
    cut = int(positive[0]) if positive.size else upto
    return np.maximum.accumulate(total[: max(cut, 1)]) if cut > 0 else total[:1]


def _nb_parameters(
    means: FloatArray, dispersion: float, spread: float
) -> tuple[FloatArray, FloatArray]:
    means = np.maximum(means, 1e-9)
    variance = np.maximum(dispersion * means + (spread * means) ** 2, means * (1 + 1e-6))
    p = means / variance
    return means * p / (1.0 - p), p


def daily_quantiles(
    scenarios: Sequence[tuple[float, FloatArray, float]],
    *,
    dispersion: float,
    levels: Sequence[float],
) -> list[FloatArray]:
    """Per-day quantiles at `levels` of a mixture of moment-matched daily counts.

    Args:
        scenarios: (weight, daily means, relative spread) per scenario.
        dispersion: φ of daily counts.
        levels: The quantile levels wanted.
    """
    if len(scenarios) == 1:
        _, means, spread = scenarios[0]
        size, p = _nb_parameters(means, dispersion, spread)
        return [np.asarray(nbinom.ppf(q, size, p), dtype=np.float64) for q in levels]
    tops = [
        nbinom.ppf(1.0 - _TAIL, *_nb_parameters(means, dispersion, spread))
        for _, means, spread in scenarios
    ]
    grid = np.arange(int(np.max(tops)) + 2, dtype=np.float64)
    cdf = np.zeros((scenarios[0][1].size, grid.size))
    for weight, means, spread in scenarios:
        size, p = _nb_parameters(means, dispersion, spread)
        cdf += weight * nbinom.cdf(grid[None, :], size[:, None], p[:, None])
    last = grid.size - 1
    return [
        np.asarray([grid[min(int(np.searchsorted(row, q)), last)] for row in cdf]) for q in levels
    ]
