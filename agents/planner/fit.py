"""Marketing planner, estimation: a posterior over each campaign's response curve.

The curve is GMV(b) = a·(1 − exp(−b/k)) and the noise multiplicative lognormal with
mean one, so log GMV = log a + log(1 − exp(−b/k)) − σ²/2 + σ·z. The curvature lives on a
grid in units of the campaign's current budget (x = b_ref / k); for each grid point the
model is linear in log a, which is integrated out (Gauss–Hermite quadrature). The noise level σ is
pooled over the market's campaigns (they share it), so a campaign whose budget never moved
still gets an honest σ.

The history alone barely identifies k when budgets moved a little, so the priors carry
what is known about running ad campaigns (empirical Bayes, fitted to the development
markets' 349 campaigns):

- the marginal ROAS at zero spend, a/k, lies between 2 and 14;
- a running allocation was balanced by someone: a campaign's x sits near the x* where its
  marginal ROAS would equal the market's common level θ (log(x/x*) has sd 0.62; θ has a
  posterior from all the market's campaigns), unless the market's evidence says nobody
  balanced it (then the curvature prior alone);
- most campaigns run below or near the knee (x up to about 3, a skew-normal prior on
  log x with a long tail towards nearly linear curves); a few are far into saturation
  (x between 4 and 6), and their marginal ROAS is then far below the common level.

A campaign whose budget never moved keeps about the prior: it is shrunk, not extrapolated.
The grid points with their weights are a set of plausible (a, k) over which the
allocator optimises expected GMV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

__all__ = [
    "CurvePosterior",
    "FitSettings",
    "MarketFit",
    "fit_campaigns",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FitSettings:
    """Priors and grid of the curve fit (see the module docstring for what they encode)."""

    prior_log_x_loc: float = 0.78
    prior_log_x_scale: float = 1.78
    prior_log_x_skew: float = -9.2
    """Skew-normal prior of log(b_ref / k) for a campaign below its knee when the market's
    common level is unknown (location, scale, shape): mean −0.63, sd 1.09, little mass past
    x ≈ 3."""
    saturated_share: float = 0.023
    saturated_x_low: float = 4.0
    saturated_x_high: float = 6.0
    """The share of campaigns far into saturation, and their range of x (log-uniform)."""
    zero_roas_low: float = 2.0
    zero_roas_high: float = 14.0
    """The range of a/k, the marginal ROAS at zero spend (log-uniform; 2.02 to 13.96 in
    the development markets)."""
    balance_loc: float = 0.35
    balance_scale: float = 0.91
    balance_skew: float = -2.2
    """Skew-normal prior of log(x / x*), where x* = log((a/k) / margin) is where the
    campaign's marginal ROAS would equal the market's common level: mean −0.31, sd 0.62,
    with a long tail towards under-funded campaigns."""
    margin_prior_mean: float = 0.68
    margin_prior_sd: float = 0.40
    """Normal prior of log θ, the market's common marginal ROAS (θ about 2, within a
    factor of 1.5), so a market whose histories barely moved is not read as balanced at
    any level at all."""
    unbalanced_share: float = 0.2
    """Prior chance that a market's allocation was not balanced at all: its campaigns then
    get the curvature prior alone, and the market's evidence decides between the two."""
    margin_points: int = 21
    margin_prior_sds: float = 3.5
    unfunded_x: float = 0.05
    """x* for a campaign whose a/k is below the common level: it is kept near its floor."""
    grid_points: int = 161
    grid_sds: float = 4.0
    """The grid spans the prior mean ± this many prior sds."""
    min_sigma: float = 0.01

    @property
    def prior_log_x_mean(self) -> float:
        """Prior mean of log(b_ref / k) below the knee."""
        return float(self._prior().mean())

    @property
    def prior_log_x_sd(self) -> float:
        """Prior sd of log(b_ref / k) below the knee."""
        return float(self._prior().std())

    def prior_log_density(self, log_x: FloatArray) -> FloatArray:
        """Prior log density of log(b_ref / k) below the knee."""
        return np.asarray(self._prior().logpdf(log_x), dtype=np.float64)

    def balance_log_density(self, log_ratio: FloatArray) -> FloatArray:
        """Prior log density of log(x / x*) for a campaign below the knee."""
        return np.asarray(
            stats.skewnorm.logpdf(
                log_ratio, self.balance_skew, loc=self.balance_loc, scale=self.balance_scale
            ),
            dtype=np.float64,
        )

    def saturated_log_density(self, log_x: FloatArray) -> FloatArray:
        """Prior log density of log(b_ref / k) far into saturation (log-uniform)."""
        low, high = math.log(self.saturated_x_low), math.log(self.saturated_x_high)
        inside = (log_x >= low) & (log_x <= high)
        return np.where(inside, -math.log(high - low), -np.inf)

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
    a2: FloatArray
    """Posterior mean of a² given each k (for the variance of GMV)."""

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
    margin: float | None = None
    """The market's common marginal ROAS at the current budgets (None: not estimated)."""


@dataclass(frozen=True, slots=True, eq=False)
class _Profile:
    log_x: FloatArray
    k: FloatArray
    log_a: FloatArray
    """Least-squares log a given each k, with the mean-one noise's σ²/2 not yet added."""
    rss: FloatArray
    days: int
    dof: int
    log_ref: float


def _profile(
    budgets: FloatArray, gmv: FloatArray, reference: float, settings: FitSettings
) -> _Profile:
    half = settings.grid_sds * settings.prior_log_x_sd
    centre = settings.prior_log_x_mean
    top = max(centre + half, math.log(settings.saturated_x_high) + 0.5)
    log_x = np.linspace(centre - half, top, settings.grid_points)
    k = reference / np.exp(log_x)
    usable = (budgets > 0) & (gmv > 0)
    b, y = budgets[usable], gmv[usable]
    log_ref = math.log(reference)
    if b.size == 0:
        # Nothing observed: the level is unknown; the allocator will not move this one.
        return _Profile(log_x, k, np.full_like(k, -np.inf), np.zeros_like(k), 0, 0, log_ref)
    shape = np.log(-np.expm1(-b[None, :] / k[:, None]))
    z = np.log(y)[None, :] - shape
    log_a = z.mean(axis=1)
    rss = np.sum((z - log_a[:, None]) ** 2, axis=1)
    varied = np.ptp(b) > 1e-9 * max(float(b.max()), 1.0)
    dof = max(int(b.size) - (2 if varied else 1), 0)
    return _Profile(log_x, k, log_a, rss, int(b.size), dof, log_ref)


_NODES, _NODE_WEIGHTS = np.polynomial.hermite.hermgauss(9)


@dataclass(frozen=True, slots=True, eq=False)
class _Level:
    """Per grid point: log evidence of the data and priors, and posterior moments of a."""

    log_evidence: FloatArray
    mean_a: FloatArray
    mean_a2: FloatArray
    total: float = field(init=False)
    """log Σ over the grid of `log_evidence`: the campaign's evidence under these priors."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", float(special.logsumexp(self.log_evidence)))


def _curvature(p: _Profile, sigma: float, log_margin: float | None, cfg: FitSettings) -> _Level:
    """Integrates log a out at each grid point of x, under the data and the priors.

    Given x the data say log a ~ N(ℓ̂ + σ²/2, σ²/n), times the residual fit; the integral
    over log a is a Gauss–Hermite sum over that normal, of the prior at each node: a/k
    uniform in log over its range, and x near the balanced x* = log((a/k) / margin).
    """
    s = math.sqrt(sigma**2 / p.days)
    centre = p.log_a + sigma**2 / 2.0
    log_a = centre[:, None] + math.sqrt(2.0) * s * _NODES[None, :]
    log_r0 = log_a + p.log_x[:, None] - p.log_ref
    low, high = math.log(cfg.zero_roas_low), math.log(cfg.zero_roas_high)
    log_x = p.log_x[:, None]
    if log_margin is None:
        knee = np.broadcast_to(cfg.prior_log_density(p.log_x)[:, None], log_a.shape)
    else:
        balanced = np.maximum(log_r0 - log_margin, cfg.unfunded_x)
        knee = cfg.balance_log_density(log_x - np.log(balanced))
    with np.errstate(divide="ignore"):
        prior = np.logaddexp(
            math.log1p(-cfg.saturated_share) + knee,
            math.log(cfg.saturated_share) + cfg.saturated_log_density(log_x),
        )
    prior = np.where((log_r0 >= low) & (log_r0 <= high), prior - math.log(high - low), -np.inf)
    residual = -p.rss / (2.0 * sigma**2)
    joint = residual[:, None] + prior + np.log(_NODE_WEIGHTS / math.sqrt(math.pi))[None, :]
    evidence = special.logsumexp(joint, axis=1)
    with np.errstate(invalid="ignore"):
        resp = np.nan_to_num(np.exp(joint - evidence[:, None]))
    mean_a = np.sum(resp * np.exp(log_a), axis=1)
    mean_a2 = np.sum(resp * np.exp(2.0 * log_a), axis=1)
    return _Level(np.asarray(evidence), np.asarray(mean_a), np.asarray(mean_a2))


def _mix_over_margins(
    levels: Sequence[_Level], margin_weight: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A campaign's log weight and moments of a per grid point of x, averaged over θ."""
    log_parts = []
    for level, weight in zip(levels, margin_weight.tolist(), strict=True):
        norm = level.total
        if not np.isfinite(norm):
            log_parts.append(np.full_like(level.log_evidence, -np.inf))
            continue
        log_parts.append(math.log(max(weight, 1e-300)) + level.log_evidence - norm)
    stacked = np.stack(log_parts)
    total = special.logsumexp(stacked, axis=0)
    with np.errstate(invalid="ignore"):
        resp = np.nan_to_num(np.exp(stacked - total))
    mean_a = np.sum(resp * np.stack([level.mean_a for level in levels]), axis=0)
    mean_a2 = np.sum(resp * np.stack([level.mean_a2 for level in levels]), axis=0)
    return np.asarray(total), np.asarray(mean_a), np.asarray(mean_a2)


def _data_only(p: _Profile, sigma: float) -> _Level:
    """The fit without the level priors (for a campaign whose a/k is out of their range)."""
    s2 = sigma**2 / p.days
    mean_a = np.exp(p.log_a + sigma**2 / 2.0 + s2 / 2.0)
    return _Level(-p.rss / (2.0 * sigma**2), mean_a, mean_a**2 * math.exp(s2))


@dataclass(frozen=True, slots=True, eq=False)
class _Margins:
    """The posterior of the market's common marginal ROAS θ on a grid of log θ."""

    log_margin: tuple[float | None, ...]
    weight: FloatArray
    levels: dict[int, list[_Level]]
    """Per campaign (by index), its `_Level` at each grid point of log θ."""

    @property
    def mean(self) -> float | None:
        """The posterior mean of θ given the market is balanced (None: it is likely not)."""
        weights: list[float] = self.weight.tolist()
        balanced = [
            (w, lm) for w, lm in zip(weights, self.log_margin, strict=True) if lm is not None
        ]
        total = sum(w for w, _ in balanced)
        if total < 0.5:
            return None
        return sum(w * math.exp(lm) for w, lm in balanced) / total


def _margins(profiles: Sequence[_Profile], sigma: float, cfg: FitSettings) -> _Margins:
    """The market's common marginal ROAS at the current budgets, given every campaign.

    A normal prior on log θ times each campaign's evidence, beside the chance that the
    allocation was not balanced (the last option, None); with fewer than two observed
    campaigns there is nothing to pool, and the balance prior is left out.
    """
    seen = [i for i, p in enumerate(profiles) if p.days]
    if len(seen) < 2:
        levels = {i: [_curvature(profiles[i], sigma, None, cfg)] for i in seen}
        return _Margins((None,), np.ones(1), levels)
    half = cfg.margin_prior_sds * cfg.margin_prior_sd
    grid = np.linspace(
        cfg.margin_prior_mean - half, cfg.margin_prior_mean + half, cfg.margin_points
    )
    options: list[float | None] = [*grid.tolist(), None]
    levels = {i: [_curvature(profiles[i], sigma, g, cfg) for g in options] for i in seen}
    evidence = {i: np.array([level.total for level in levels[i]]) for i in seen}
    # A campaign the priors rule out at every θ (a/k far outside its range) says nothing
    # about θ; it is fitted on its data alone.
    inside = [i for i in seen if np.isfinite(evidence[i]).any()]
    # Balanced at some θ (the integral over θ's prior, on the grid), or not balanced at all.
    log_prior = np.append(
        math.log1p(-cfg.unbalanced_share)
        + np.asarray(stats.norm.logpdf(grid, loc=cfg.margin_prior_mean, scale=cfg.margin_prior_sd))
        + math.log(float(grid[1] - grid[0])),
        math.log(cfg.unbalanced_share),
    )
    log_post = log_prior + sum((evidence[i] for i in inside), np.zeros_like(log_prior))
    levels = {i: levels[i] for i in inside}
    weight = np.exp(log_post - log_post.max())
    weight /= weight.sum()
    return _Margins(tuple(options), weight, levels)


def fit_campaigns(
    histories: Sequence[tuple[str, Sequence[float], Sequence[float], float]],
    *,
    settings: FitSettings | None = None,
) -> MarketFit:
    """Fits every campaign of one market, pooling the noise level across them.

    Args:
        histories: Per campaign: id, history budgets, history GMV, current budget.
        settings: Priors and grid; the defaults suit daily ad budgets.

    Returns:
        The pooled σ, the common margin, and one posterior per campaign, in the given order.
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
    margins = _margins([p for _, p, _ in profiles], sigma, cfg)
    curves = tuple(
        _posterior(cid, p, b, sigma, margins.weight, margins.levels.get(i), cfg)
        for i, (cid, p, b) in enumerate(profiles)
    )
    return MarketFit(sigma=sigma, curves=curves, margin=margins.mean)


def _posterior(
    campaign_id: str,
    p: _Profile,
    budgets: FloatArray,
    sigma: float,
    margin_weight: FloatArray,
    levels: Sequence[_Level] | None,
    cfg: FitSettings,
) -> CurvePosterior:
    if p.days:
        mixed = None if levels is None else _mix_over_margins(levels, margin_weight)
        if mixed is None or not np.isfinite(mixed[0].max()):
            # The priors rule out every curve (e.g. a/k far outside its range): data alone.
            only = _data_only(p, sigma)
            mixed = (only.log_evidence, only.mean_a, only.mean_a2)
        log_w, a, a2 = mixed
    else:
        log_w = cfg.prior_log_density(p.log_x)
        a = a2 = np.zeros_like(p.k)
    weight = np.exp(log_w - log_w.max())
    weight /= weight.sum()
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
        reference=math.exp(p.log_ref),
        log_k_sd=spread,
        a2=a2,
    )
