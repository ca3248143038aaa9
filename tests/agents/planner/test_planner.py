"""The marketing planner's fit and allocation on small hand-built markets."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcrew.agents.planner.allocate import PlannerSettings, plan_market
from shopcrew.agents.planner.fit import fit_campaigns
from shopcrew.tools.records.markets import Market


def _history(
    rng: np.random.Generator, a: float, k: float, centre: float, jitter: float, sigma: float
) -> list[dict[str, float]]:
    days = []
    for day in range(1, 29):
        budget = round(centre * (1 + rng.uniform(-jitter, jitter)), 2)
        noise = math.exp(sigma * rng.normal() - sigma**2 / 2)
        days.append(
            {"day": day, "budget": budget, "gmv": round(a * -math.expm1(-budget / k) * noise, 2)}
        )
    return days


def _market(
    specs: list[dict[str, Any]], *, min_roas: float | None = None, sigma: float = 0.1, seed: int = 0
) -> Market:
    """specs: per campaign a, k, current, jitter, and optional min/max."""
    rng = np.random.default_rng(seed)
    campaigns = [
        {
            "id": f"c{i}",
            "channel": "taobao_ztc",
            "name": f"campaign {i}",
            "min_budget": s.get("min", 0.0),
            "max_budget": s.get("max"),
            "history": _history(rng, s["a"], s["k"], s["current"], s["jitter"], sigma),
        }
        for i, s in enumerate(specs)
    ]
    current = {f"c{i}": s["current"] for i, s in enumerate(specs)}
    return Market.model_validate(
        {
            "id": "m",
            "currency": "CNY",
            "total_budget": sum(current.values()),
            "min_roas": min_roas,
            "history_days": 28,
            "current_allocation": current,
            "campaigns": campaigns,
        }
    )


def _fit(market: Market) -> Any:
    return fit_campaigns(
        [
            (
                c.id,
                [d.budget for d in c.history],
                [d.gmv for d in c.history],
                market.current_allocation[c.id],
            )
            for c in market.campaigns
        ]
    )


def test_an_unvaried_history_leaves_the_curvature_uncertain() -> None:
    market = _market(
        [
            {"a": 5000, "k": 1000, "current": 1000, "jitter": 0.0},
            {"a": 5000, "k": 1000, "current": 1000, "jitter": 0.4},
        ],
        sigma=0.05,
    )
    unvaried, varied = _fit(market).curves
    # Only the priors speak about its k: a wide posterior, not a guess.
    assert unvaried.log_k_sd > 0.5
    assert varied.log_k_sd < 0.5 * unvaried.log_k_sd
    # Its level is still known where it ran.
    assert float(unvaried.expected_gmv(1000.0)) == pytest.approx(5000 * -math.expm1(-1), rel=0.1)


def test_the_common_marginal_roas_of_a_balanced_market_is_recovered() -> None:
    # Each campaign runs where its marginal ROAS is 2.5: x = log((a/k) / 2.5).
    rng = np.random.default_rng(11)
    specs = []
    for _ in range(8):
        k = float(rng.uniform(200, 2000))
        zero_roas = float(rng.uniform(3.5, 12.0))
        current = k * math.log(zero_roas / 2.5)
        specs.append({"a": zero_roas * k, "k": k, "current": current, "jitter": 0.25})
    fit = _fit(_market(specs, sigma=0.1, seed=5))
    assert fit.margin is not None
    assert fit.margin == pytest.approx(2.5, rel=0.25)


def test_a_market_run_far_from_balance_is_not_read_as_balanced() -> None:
    # (a/k, x) drawn without regard to each other: marginal ROAS at the current budgets
    # from 0.4 to 12, so nobody balanced this allocation.
    pairs = [(13, 0.1), (2.5, 1.5), (8, 0.3), (3, 2.0), (12, 1.8), (4, 0.2), (2.2, 0.9), (10, 0.05)]
    rng = np.random.default_rng(4)
    specs = []
    for zero_roas, x in pairs:
        k = float(rng.uniform(300, 1500))
        specs.append({"a": zero_roas * k, "k": k, "current": k * x, "jitter": 0.35})
    assert _fit(_market(specs, sigma=0.08, seed=9)).margin is None


def test_a_flat_history_far_below_the_common_margin_reads_as_saturated() -> None:
    balanced = [
        {"a": 8.0 * k, "k": k, "current": k * math.log(8.0 / 2.5), "jitter": 0.3}
        for k in (300.0, 500.0, 800.0, 1200.0, 2000.0)
    ]
    # a/k = 10 at five times its knee: marginal ROAS 0.07 against the market's 2.5.
    saturated = {"a": 10.0 * 400.0, "k": 400.0, "current": 2000.0, "jitter": 0.3}
    fit = _fit(_market([*balanced, saturated], sigma=0.15, seed=2))
    curve = fit.curves[-1]
    past_knee = float(np.sum(curve.weight[curve.reference / curve.k > 3.0]))
    assert past_knee > 0.5
    assert float(curve.expected_marginal(2000.0)) < 0.5


def test_the_noise_level_is_pooled_across_campaigns() -> None:
    specs = [
        {"a": 3000 + 500 * i, "k": 400 + 100 * i, "current": 500, "jitter": 0.3} for i in range(10)
    ]
    specs[0] = {**specs[0], "jitter": 0.0}
    fit = _fit(_market(specs, sigma=0.2, seed=3))
    assert 0.15 < fit.sigma < 0.25


def test_a_saturated_campaign_gives_budget_to_an_unsaturated_one() -> None:
    market = _market(
        [
            {"a": 2000, "k": 200, "current": 1000, "jitter": 0.3},
            {"a": 20000, "k": 5000, "current": 1000, "jitter": 0.3},
        ]
    )
    plan = plan_market(market)
    saturated, open_ = plan.moves
    assert saturated.proposed < saturated.current and saturated.reason.startswith("loses")
    assert open_.proposed > open_.current and open_.reason.startswith("gains")
    assert plan.expected_gmv_after > plan.expected_gmv_before
    assert sum(plan.budgets.values()) <= market.total_budget
    assert "c1" in plan.summary() and f"{plan.marginal_roas:.3f}" in plan.summary()


def test_an_unvaried_campaign_moves_only_within_its_trust_region() -> None:
    market = _market(
        [
            {"a": 50000, "k": 20000, "current": 100, "jitter": 0.0},
            {"a": 2000, "k": 300, "current": 2000, "jitter": 0.3},
        ]
    )
    base = PlannerSettings().trust_base
    plan = plan_market(market)
    assert 100 / (1 + base) - 0.01 <= plan.budgets["c0"] <= 100 * (1 + base) + 0.01
    assert plan.budgets["c0"] > 100


def test_a_binding_roas_floor_spends_less_than_the_total() -> None:
    market = _market(
        [
            {"a": 3000, "k": 500, "current": 2000, "jitter": 0.3},
            {"a": 8000, "k": 2000, "current": 2000, "jitter": 0.3},
        ],
        min_roas=3.0,
    )
    plan = plan_market(market)
    assert plan.floor_binding
    assert sum(plan.budgets.values()) < market.total_budget
    assert plan.expected_roas >= 3.0


def test_planning_is_deterministic() -> None:
    market = _market(
        [{"a": 900 * (i + 1), "k": 300, "current": 300, "jitter": 0.2} for i in range(4)]
    )
    assert plan_market(market).budgets == plan_market(market).budgets


@st.composite
def markets(draw: st.DrawFn) -> Market:
    n = draw(st.integers(1, 6))
    specs = []
    for _ in range(n):
        current = draw(st.floats(0.0, 5000.0))
        low = current * draw(st.floats(0.0, 1.0))
        capped = draw(st.booleans())
        specs.append(
            {
                "a": draw(st.floats(1.0, 1e5)),
                "k": draw(st.floats(1.0, 1e4)),
                "current": round(current, 2),
                "jitter": draw(st.sampled_from([0.0, 0.05, 0.3])),
                "min": round(low, 2),
                "max": round(current * draw(st.floats(1.0, 5.0)), 2) + 0.01 if capped else None,
            }
        )
    floor = draw(st.none() | st.floats(0.1, 10.0))
    return _market(
        specs, min_roas=floor, sigma=draw(st.floats(0.05, 0.4)), seed=draw(st.integers(0, 99))
    )


@pytest.mark.slow  # hypothesis, many examples
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_every_allocation_keeps_bounds_and_total_budget(market: Market) -> None:
    budgets = plan_market(market).budgets
    assert set(budgets) == {c.id for c in market.campaigns}
    assert sum(budgets.values()) <= market.total_budget + 1e-9
    for campaign in market.campaigns:
        budget = budgets[campaign.id]
        assert math.isfinite(budget) and budget == round(budget, 2)
        assert budget >= campaign.min_budget - 0.005
        assert campaign.max_budget is None or budget <= campaign.max_budget + 0.005
