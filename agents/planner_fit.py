"""Marketing planner, estimation: a posterior over each campaign's response curve.

The curve is GMV(b) = a·(1 − exp(−b/k)) and the noise multiplicative lognormal with
mean one, so log GMV = log a + log(1 − exp(−b/k)) − σ²/2 + σ·z. For a fixed k the
model is linear in log a, which is profiled out exactly; k lives on a grid in units of
the campaign's current budget (x = b_ref / k), under a weakly informative skew-normal prior
on log x: ad campaigns run anywhere from nearly linear (x ≪ 1) to near the knee, and only a
few far past it, so the prior has a long left tail and a short right one. The noise level
σ is pooled over the market's campaigns (they share it), so a campaign whose budget never
moved still gets an honest σ, and its posterior over k stays the prior: it is shrunk, not
extrapolated. The grid points with their weights are
a set of plausible (a, k) over which the allocator optimises expected GMV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "CurvePosterior",
    "FitSettings",
    "MarketFit",
    "fit_campaigns",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FitSettings:
    """Prior and grid of the curve fit."""

    prior_log_x_loc: float = 0.77
    prior_log_x_scale: float = 1.76
    prior_log_x_skew: float = -3.75
    """Skew-normal prior of log(b_ref / k) (location, scale, shape): mean −0.59, sd 1.12,
    a long tail towards nearly linear curves, and little mass far past the knee. Fitted by
    maximum likelihood to the 349 campaigns of the development markets (each half of them
    gives nearly the same prior, and either half's prior lowers the other half's regret
    against a normal one)."""
    grid_points: int = 121
    grid_sds: float = 4.0
    """The grid spans the prior mean ± this many prior sds."""
    min_sigma: float = 0.01

    @property
    def prior_log_x_mean(self) -> float:
        """Prior mean of log(b_ref / k)."""
        return float(self._prior().mean())

    @property
    def prior_log_x_sd(self) -> float:
        """Prior sd of log(b_ref / k); a campaign whose budget never moved keeps about it."""
        return float(self._prior().std())

    def prior_log_density(self, log_x: FloatArray) -> FloatArray:
        """Prior log density of log(b_ref / k), up to a constant."""
        return np.asarray(self._prior().logpdf(log_x), dtype=np.float64)

    def _prior(self) -> Any:
        return stats.skewnorm(
            self.prior_log_x_skew, loc=self.prior_log_x_loc, scale=self.prior_log_x_scale
        )


@dataclass(frozen=True, slots=True, eq=False)
class CurvePosterior:
    """Plausible curves of one campaign: weighted (a, k) points.

    The weights sum to one; E[GMV(b)] = Σ w·a·(1 − exp(−b/k)).
    """

    campaign_id: str
    a: FloatArray
    """Posterior mean of a given each k (lognormal mean, so E[GMV] is unbiased)."""
    k: FloatArray
    weight: FloatArray
    history_low: float
    """The smallest budget of the history."""
    history_high: float
    """The largest budget of the history."""
    reference: float
    """The budget the prior on k is relative to (the current one)."""
    log_k_sd: float
    """Posterior sd of log k; close to the prior's when the history never varied."""
    log_a_var: float
    """Posterior variance of log a given k (σ² / days)."""

    def expected_gmv(self, budget: FloatArray | float) -> FloatArray:
        """Posterior mean GMV at each budget."""
        b = np.asarray(budget, dtype=np.float64)[..., None]
        return np.asarray(np.sum(self.weight * self.a * -np.expm1(-b / self.k), axis=-1))

    def expected_marginal(self, budget: FloatArray | float) -> FloatArray:
        """Posterior mean marginal ROAS dGMV/db at each budget."""
        b = np.asarray(budget, dtype=np.float64)[..., None]
        return np.asarray(np.sum(self.weight * self.a / self.k * np.exp(-b / self.k), axis=-1))

    @property
    def explored(self) -> float:
        """How far the history moved the budget, relative to the reference budget."""
        return (self.history_high - self.history_low) / max(self.reference, 1e-9)


@dataclass(frozen=True, slots=True, eq=False)
class MarketFit:
    """The curve posteriors of a market's campaigns and their shared noise level."""

    sigma: float
    curves: tuple[CurvePosterior, ...]


@dataclass(frozen=True, slots=True, eq=False)
class _Profile:
    log_x: FloatArray
    k: FloatArray
    log_a: FloatArray
    rss: FloatArray
    days: int
    dof: int


def _profile(
    budgets: FloatArray, gmv: FloatArray, reference: float, settings: FitSettings
) -> _Profile:
    half = settings.grid_sds * settings.prior_log_x_sd
    centre = settings.prior_log_x_mean
    log_x = np.linspace(centre - half, centre + half, settings.grid_points)
    k = reference / np.exp(log_x)
    usable = (budgets > 0) & (gmv > 0)
    b, y = budgets[usable], gmv[usable]
    if b.size == 0:
        # Nothing observed: the level is unknown; the allocator will not move this one.
        return _Profile(log_x, k, np.full_like(k, -np.inf), np.zeros_like(k), 0, 0)
    shape = np.log(-np.expm1(-b[None, :] / k[:, None]))
    z = np.log(y)[None, :] - shape
    log_a = z.mean(axis=1)
    rss = np.sum((z - log_a[:, None]) ** 2, axis=1)
    varied = np.ptp(b) > 1e-9 * max(float(b.max()), 1.0)
    return _Profile(log_x, k, log_a, rss, int(b.size), max(int(b.size) - (2 if varied else 1), 0))


def fit_campaigns(
    histories: Sequence[tuple[str, Sequence[float], Sequence[float], float]],
    *,
    settings: FitSettings | None = None,
) -> MarketFit:
    """Fits every campaign of one market, pooling the noise level across them.

    Args:
        histories: Per campaign: id, history budgets, history GMV, current budget.
        settings: Prior and grid; the defaults suit daily ad budgets.

    Returns:
        The pooled σ and one posterior per campaign, in the given order.
    """
    cfg = settings or FitSettings()
    profiles: list[tuple[str, _Profile, FloatArray]] = []
    for campaign_id, budgets, gmv, current in histories:
        b = np.asarray(budgets, dtype=np.float64)
        positive = b[b > 0]
        reference = current if current > 0 else float(np.median(positive)) if positive.size else 1.0
        profiles.append((campaign_id, _profile(b, np.asarray(gmv, float), reference, cfg), b))
    dof = sum(p.dof for _, p, _ in profiles)
    rss = sum(float(p.rss.min()) for _, p, _ in profiles if p.days)
    sigma = max(math.sqrt(rss / dof) if dof else 0.3, cfg.min_sigma)
    curves = tuple(_posterior(cid, p, b, sigma, cfg) for cid, p, b in profiles)
    return MarketFit(sigma=sigma, curves=curves)


def _posterior(
    campaign_id: str, p: _Profile, budgets: FloatArray, sigma: float, cfg: FitSettings
) -> CurvePosterior:
    log_w = cfg.prior_log_density(p.log_x) - p.rss / (2.0 * sigma**2)
    weight = np.exp(log_w - log_w.max())
    weight /= weight.sum()
    if p.days:
        # E[a | k]: the log-space mean plus σ²/2 (mean-one noise), plus half its variance.
        a = np.exp(p.log_a + sigma**2 / 2.0 + sigma**2 / (2.0 * p.days))
    else:
        a = np.zeros_like(p.k)
    log_k = np.log(p.k)
    mean = float(np.sum(weight * log_k))
    spread = math.sqrt(max(float(np.sum(weight * (log_k - mean) ** 2)), 0.0))
    positive = budgets[budgets > 0]
    return CurvePosterior(
        campaign_id=campaign_id,
        a=a,
        k=p.k,
        weight=weight,
        history_low=float(positive.min()) if positive.size else 0.0,
        history_high=float(positive.max()) if positive.size else 0.0,
        reference=float(p.k[0] * math.exp(p.log_x[0])),
        log_k_sd=spread,
        log_a_var=sigma**2 / p.days if p.days else 0.0,
    )
