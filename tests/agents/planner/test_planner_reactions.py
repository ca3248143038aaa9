"""The planner's reactions to the blackboard: stock-outs pause, refund spikes deprioritise."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from shopcrew.agents.planner.allocate import plan_market
from shopcrew.agents.planner.reactions import (
    campaign_products,
    out_of_stock_products,
    react_to_blackboard,
)
from shopcrew.memory import StockAlert
from shopcrew.tools.records.markets import Market

# (a, k, current budget, product): p1 is advertised by two campaigns.
_SPECS = [
    (4000.0, 600.0, 500.0, "p1"),
    (3000.0, 400.0, 300.0, "p1"),
    (3500.0, 500.0, 400.0, "p2"),
    (2500.0, 300.0, 200.0, "p3"),
]


def _market(min_roas: float | None = None) -> Market:
    rng = np.random.default_rng(11)
    campaigns = []
    for i, (a, k, current, product) in enumerate(_SPECS):
        history = []
        for day in range(1, 29):
            budget = round(current * (1 + rng.uniform(-0.25, 0.25)), 2)
            noise = math.exp(0.1 * rng.normal() - 0.005)
            gmv = round(a * -math.expm1(-budget / k) * noise, 2)
            history.append({"day": day, "budget": budget, "gmv": gmv})
        campaigns.append(
            {
                "id": f"c{i}",
                "channel": "taobao_ztc",
                "name": f"campaign {i}",
                "min_budget": 20.0,
                "max_budget": 3000.0,
                "history": history,
                "listing_id": product,
            }
        )
    allocation = {f"c{i}": s[2] for i, s in enumerate(_SPECS)}
    return Market.model_validate(
        {
            "id": "m",
            "currency": "CNY",
            "total_budget": sum(allocation.values()),
            "min_roas": min_roas,
            "history_days": 28,
            "current_allocation": allocation,
            "campaigns": campaigns,
        }
    )


def _alert(product: str, level: int, minutes: int, item: str | None = None) -> StockAlert:
    at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return StockAlert(product_id=product, item_id=item, level=level, at=at)


def test_campaigns_link_to_their_listing_and_overrides_win() -> None:
    market = _market()
    assert campaign_products(market) == {"c0": "p1", "c1": "p1", "c2": "p2", "c3": "p3"}
    assert campaign_products(market, {"c3": "p9"})["c3"] == "p9"


def test_only_a_product_wide_zero_stock_counts_and_a_restock_lifts_it() -> None:
    alerts = [
        _alert("p1", 0, 1),
        _alert("p2", 0, 1, item="p2-red"),
        _alert("p3", 0, 1),
        _alert("p3", 40, 2),
        _alert("p4", 3, 1),
    ]
    assert out_of_stock_products(alerts) == frozenset({"p1"})
    assert out_of_stock_products(reversed(alerts)) == frozenset({"p1"})


def test_a_stock_out_pauses_its_campaigns_and_releases_their_budget() -> None:
    market = _market()
    before = plan_market(market).budgets
    reaction = react_to_blackboard(market, out_of_stock={"p1"})
    assert reaction.paused == ("c0", "c1")
    assert reaction.budgets["c0"] == reaction.budgets["c1"] == 0.0
    assert list(reaction.budgets) == ["c0", "c1", "c2", "c3"]
    assert sum(reaction.budgets.values()) <= market.total_budget + 1e-6
    # The released budget goes to the others (no floor: the total is spent).
    assert sum(reaction.budgets.values()) == pytest.approx(market.total_budget, abs=0.05)
    assert reaction.budgets["c2"] + reaction.budgets["c3"] > before["c2"] + before["c3"] + 500
    assert "paused (out of stock): c0, c1" in reaction.summary()


def test_a_stock_out_under_a_floor_spends_only_what_keeps_it() -> None:
    market = _market(min_roas=5.0)
    reaction = react_to_blackboard(market, out_of_stock={"p1"})
    assert reaction.plan is not None
    spent = sum(reaction.budgets.values())
    assert spent <= market.total_budget + 1e-6
    assert reaction.plan.expected_roas >= 5.0 * 0.95


def test_when_every_product_is_out_nothing_is_spent() -> None:
    reaction = react_to_blackboard(_market(), out_of_stock={"p1", "p2", "p3"})
    assert set(reaction.budgets.values()) == {0.0}
    assert reaction.plan is None
    assert reaction.summary().endswith("nothing left to advertise.")


def test_a_refund_spike_lowers_its_campaigns_priority() -> None:
    market = _market()
    before = react_to_blackboard(market)
    after = react_to_blackboard(market, refund_rates={"p2": 0.5})
    assert after.deprioritised == {"c2": 0.5}
    assert after.budgets["c2"] < before.budgets["c2"]
    assert after.budgets["c3"] >= before.budgets["c3"]
    assert sum(after.budgets.values()) == pytest.approx(sum(before.budgets.values()), abs=0.05)
    assert "c2 (50% refunds)" in after.summary()


def test_no_signal_gives_the_plain_plan() -> None:
    market = _market()
    assert react_to_blackboard(market).budgets == plan_market(market).budgets
