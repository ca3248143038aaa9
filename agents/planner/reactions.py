"""Marketing planner, reactions to the blackboard: stock-outs and refund spikes.

Pure functions from what other agents posted to a new plan. A campaign advertises the
product of its `listing_id` (a listing is a product's page, so the listing id is the
product id the stock alerts and refund figures use); a mapping can override the link.

- A product out of stock: its campaigns are paused (budget 0, whatever their minimum) and
  the allocation is re-run on the remaining campaigns under the same total budget and
  floor, so the released budget goes where it earns most.
- A refund spike on a product: its campaigns' expected GMV is scaled by (1 − refund rate)
  in the allocation, which lowers their marginal ROAS and so their priority.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shopcrew.agents.planner.allocate import AllocationPlan, PlannerSettings, plan_market
from shopcrew.memory import StockAlert
from shopcrew.tools.records.markets import Market

__all__ = [
    "ReactionPlan",
    "campaign_products",
    "out_of_stock_products",
    "react_to_blackboard",
]


@dataclass(frozen=True, slots=True)
class ReactionPlan:
    """A re-planned market after the blackboard's signals."""

    budgets: dict[str, float]
    """Daily budget per campaign id, paused ones at 0."""
    paused: tuple[str, ...]
    """Campaigns paused because their product is out of stock."""
    deprioritised: dict[str, float]
    """Campaign id → the refund rate its expected GMV was scaled down by."""
    plan: AllocationPlan | None
    """The allocation of the remaining campaigns; None when every campaign is paused."""

    def summary(self) -> str:
        """A short human explanation of the reaction."""
        parts = []
        if self.paused:
            parts.append(f"paused (out of stock): {', '.join(self.paused)}")
        if self.deprioritised:
            rates = ", ".join(f"{c} ({r:.0%} refunds)" for c, r in self.deprioritised.items())
            parts.append(f"lower priority: {rates}")
        parts.append(self.plan.summary() if self.plan else "nothing left to advertise.")
        return "; ".join(parts)


def out_of_stock_products(alerts: Iterable[StockAlert]) -> frozenset[str]:
    """Products whose latest product-wide stock alert says zero units left.

    An alert about one SKU does not stop the product's ads; a later alert with stock
    (a restock) lifts an earlier stock-out.
    """
    latest: dict[str, StockAlert] = {}
    for alert in alerts:
        if alert.item_id is not None:
            continue
        seen = latest.get(alert.product_id)
        if seen is None or alert.at >= seen.at:
            latest[alert.product_id] = alert
    return frozenset(p for p, alert in latest.items() if alert.level == 0)


def campaign_products(market: Market, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Campaign id → the product it advertises, for the campaigns whose link is known."""
    links = {c.id: c.listing_id for c in market.campaigns if c.listing_id is not None}
    links.update(overrides or {})
    return links


def react_to_blackboard(
    market: Market,
    *,
    out_of_stock: Iterable[str] = (),
    refund_rates: Mapping[str, float] | None = None,
    products: Mapping[str, str] | None = None,
    settings: PlannerSettings | None = None,
) -> ReactionPlan:
    """Re-plans a market after stock-outs and refund spikes.

    Args:
        market: The market as the planner sees it (history, bounds, total, floor).
        out_of_stock: Product ids out of stock (see `out_of_stock_products`).
        refund_rates: Product id → refund rate in [0, 1] over a recent window; only the
            products with a spike need be given.
        products: Campaign id → product id, overriding the campaigns' `listing_id`.
        settings: The allocator's knobs.

    Returns:
        Budgets for every campaign of the market, with what was paused and deprioritised.
    """
    links = campaign_products(market, products)
    stocked_out = frozenset(out_of_stock)
    rates = refund_rates or {}
    paused = tuple(c.id for c in market.campaigns if links.get(c.id) in stocked_out)
    remaining = tuple(c for c in market.campaigns if c.id not in paused)
    deprioritised = {
        c.id: min(max(rates[links[c.id]], 0.0), 1.0)
        for c in remaining
        if c.id in links and rates.get(links[c.id], 0.0) > 0.0
    }
    budgets = dict.fromkeys(paused, 0.0)
    if not remaining:
        return ReactionPlan(budgets, paused, deprioritised, None)
    sub_market = market.model_copy(
        update={
            "campaigns": remaining,
            "current_allocation": {c.id: market.current_allocation[c.id] for c in remaining},
            "truth": None,
        }
    )
    plan = plan_market(
        sub_market,
        settings=settings,
        value_scale={cid: 1.0 - rate for cid, rate in deprioritised.items()},
    )
    budgets.update(plan.budgets)
    ordered = {c.id: budgets[c.id] for c in market.campaigns}
    return ReactionPlan(ordered, paused, deprioritised, plan)
