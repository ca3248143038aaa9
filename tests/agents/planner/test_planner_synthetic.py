"""The planner on synthetic markets drawn with a seeded RNG: other campaigns, other curves."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from shopcrew.agents.planner.allocate import plan_market
from shopcrew.evaluation.markets import grade_markets, optimal_allocation, score_market
from shopcrew.tools.records.markets import Market, load_markets

_DEV = Path(os.environ.get("SHOPCREW_SHARED", Path(__file__).parents[4] / "shared"))
DEV_MARKETS = _DEV / "eval" / "markets_dev.jsonl"

CHANNELS = ("taobao_ztc", "wanxiangtai", "jd_kuaiche", "douyin_qianchuan", "google_pmax")


def _gmv(a: float, k: float, b: float) -> float:
    return a * -math.expm1(-b / k)


def synthetic_market(seed: int, *, n: int | None = None, kind: str | None = None) -> Market:
    """A market of the MARKET_FORMAT.md kind, with truth; `kind` forces one difficulty."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.choice([2, 3, 4, 6, 8, 10, 12, 16, 22]))
    sigma = float(rng.uniform(0.05, 0.4))
    tight = kind == "tight" or rng.random() < 0.15
    narrow = kind == "narrow" or rng.random() < 0.15
    shift = kind == "shift" or rng.random() < 0.2
    campaigns, curves, current = [], {}, {}
    for i in range(n):
        cid = f"s{i:02d}"
        b0 = float(np.round(np.exp(rng.uniform(np.log(10), np.log(5000)))))
        x = float(np.exp(rng.normal(-0.55, 1.1)))
        if kind == "saturated" and i == 0:
            x = float(rng.uniform(3.0, 6.0))
        k = b0 / x
        a = k * float(np.exp(rng.uniform(np.log(2.0), np.log(13.0))))
        lo = b0 * (rng.uniform(0.6, 0.9) if tight else rng.uniform(0.05, 0.5))
        hi = (
            None
            if (not tight and rng.random() < 0.2)
            else b0 * (rng.uniform(1.1, 1.5) if tight else rng.uniform(1.5, 6.0))
        )
        unvaried = (kind == "unvaried" and i == 0) or rng.random() < 0.07
        jitter = 0.0 if unvaried else rng.uniform(0.03, 0.1) if narrow else rng.uniform(0.15, 0.4)
        old = b0 * float(np.exp(rng.uniform(-0.7, 0.7))) if shift and not unvaried else b0
        history = []
        for day in range(1, 29):
            centre = old if day <= 14 else b0
            budget = float(np.round(centre * (1 + rng.uniform(-jitter, jitter)), 2))
            noise = math.exp(sigma * rng.normal() - sigma**2 / 2)
            history.append(
                {"day": day, "budget": budget, "gmv": round(_gmv(a, k, budget) * noise, 2)}
            )
        campaigns.append(
            {
                "id": cid,
                "channel": CHANNELS[i % len(CHANNELS)],
                "name": f"campaign {i}",
                "min_budget": round(float(lo), 2),
                "max_budget": None if hi is None else round(float(hi), 2),
                "history": history,
            }
        )
        curves[cid] = {"a": a, "k": k}
        current[cid] = b0
    total = sum(current.values())
    min_roas = None
    if kind == "floor" or rng.random() < 0.4:
        roas_now = sum(_gmv(curves[c]["a"], curves[c]["k"], b) for c, b in current.items()) / total
        min_roas = round(roas_now * float(rng.uniform(0.8, 1.15)), 2)
    raw = {
        "id": f"syn-{seed}",
        "currency": "CNY",
        "total_budget": total,
        "min_roas": min_roas,
        "history_days": 28,
        "current_allocation": current,
        "campaigns": campaigns,
        "truth": {
            "noise_sigma": sigma,
            "curves": curves,
            "oracle": {"allocation": {}, "gmv": 0.0, "marginal_roas": 0.0},
            "tags": [],
        },
    }
    market = Market.model_validate(raw)
    if kind == "binding":
        # A floor above the ROAS of the unconstrained optimum: the optimum must spend less.
        assert market.truth is not None
        free = optimal_allocation(market.model_copy(update={"min_roas": None}), market.truth.curves)
        roas_free = free.gmv / sum(free.allocation.values())
        market = market.model_copy(
            update={"min_roas": round(roas_free * float(rng.uniform(1.02, 1.2)), 2)}
        )
    # A floor the bounds cannot meet is not a market of this kind: drop it.
    at_min = {c.id: c.min_budget for c in market.campaigns}
    if market.min_roas is not None and sum(
        _gmv(curves[c]["a"], curves[c]["k"], b) for c, b in at_min.items()
    ) < market.min_roas * sum(at_min.values()):
        market = market.model_copy(update={"min_roas": None})
    return market


def _plan(market: Market) -> dict[str, float]:
    return plan_market(market.model_copy(update={"truth": None})).budgets


@pytest.mark.slow  # 30 synthetic markets
def test_planner_keeps_regret_low_on_synthetic_markets() -> None:
    markets = [synthetic_market(seed) for seed in range(7000, 7030)]
    planned = grade_markets([score_market(m, _plan(m)) for m in markets])
    kept = grade_markets([score_market(m, m.current_allocation) for m in markets])
    assert planned.violations == 0
    assert planned.mean_regret < 0.05
    assert planned.mean_regret < kept.mean_regret / 2


@pytest.mark.parametrize("kind", ["unvaried", "saturated", "narrow", "shift", "tight", "floor"])
def test_planner_handles_each_difficulty(kind: str) -> None:
    markets = [synthetic_market(seed, kind=kind) for seed in range(8000, 8006)]
    report = grade_markets([score_market(m, _plan(m)) for m in markets])
    assert report.violations == 0
    assert report.mean_regret < 0.06


@pytest.mark.slow  # 60 synthetic markets
def test_planner_keeps_a_binding_floor_without_giving_up_much() -> None:
    markets = [synthetic_market(seed, kind="binding") for seed in range(40000, 40060)]
    binding = [m for m in markets if m.min_roas is not None]
    report = grade_markets([score_market(m, _plan(m)) for m in binding])
    assert len(binding) >= 15
    assert report.violations == 0
    assert report.mean_regret < 0.2


def test_the_synthetic_oracle_beats_every_plan() -> None:
    market = synthetic_market(9001, n=5)
    assert market.truth is not None
    oracle = optimal_allocation(market, market.truth.curves)
    assert score_market(market, oracle.allocation).regret == pytest.approx(0.0, abs=1e-9)
    assert score_market(market, _plan(market)).gmv <= oracle.gmv + 1e-6


def _observed_again(market: Market, seed: int) -> Market:
    """The market with its history's GMV drawn anew from its true curves and noise level."""
    assert market.truth is not None
    rng = np.random.default_rng(seed)
    sigma = market.truth.noise_sigma
    campaigns = []
    for campaign in market.campaigns:
        curve = market.truth.curves[campaign.id]
        history = [
            day.model_copy(
                update={
                    "gmv": round(
                        _gmv(curve.a, curve.k, day.budget)
                        * math.exp(sigma * rng.normal() - sigma**2 / 2),
                        2,
                    )
                }
            )
            for day in campaign.history
        ]
        campaigns.append(campaign.model_copy(update={"history": history}))
    return market.model_copy(update={"id": f"{market.id}-{seed}", "campaigns": campaigns})


@pytest.mark.slow  # the dev set twice
def test_the_floors_hold_when_the_dev_markets_are_observed_again() -> None:
    # Other noise on the dev markets' own curves, bounds and budgets: the ROAS floor is a
    # chance constraint, and a planner tuned to one draw of the noise would miss it here.
    floored = [m for m in load_markets(DEV_MARKETS) if m.min_roas is not None]
    markets = [_observed_again(m, seed) for seed in (101, 202) for m in floored]
    report = grade_markets([score_market(m, _plan(m)) for m in markets])
    assert len(markets) >= 16
    assert report.violations == 0
    assert report.mean_regret < 0.08  # 5.4% with these seeds; the floor markets are the hard ones
