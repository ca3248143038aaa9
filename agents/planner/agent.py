"""The marketing planner's budget review: blackboard reactions, the plan and its explanation.

Pure functions over the `AdsAdapter`, blackboard entries and the `Policy`; what the signals
mean for the plan is `reactions`' (stock-outs, refund spikes), the allocation is
`plan_market`'s. The graph (`shopcrew.graphs.planner`) adds the approval gate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from shopcrew.agents.policy import Policy
from shopcrew.memory.blackboard.entries import REFUND_SPIKE, CampaignNote, Entry, StockAlert
from shopcrew.tools.protocols.merchant import AdsAdapter
from shopcrew.tools.records.approvals import ApprovalRequest
from shopcrew.tools.records.campaigns import Campaign
from shopcrew.tools.records.markets import Market

if TYPE_CHECKING:
    from shopcrew.agents.planner.allocate import AllocationPlan

__all__ = [
    "Reactions",
    "budget_request",
    "explain",
    "plan_budgets",
    "react",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reactions:
    """What the blackboard changed before planning."""

    paused: tuple[str, ...] = ()
    """Campaigns paused because their product is out of stock."""
    refund_rates: dict[str, float] = field(default_factory=dict)
    """Product id → the share of its GMV taken as refunded (refund spike)."""


def react(ads: AdsAdapter, entries: Sequence[Entry], *, policy: Policy, run_id: str) -> Reactions:
    """Pause the campaigns of out-of-stock products; note the products with a refund spike.

    A product is out of stock when its latest product-wide alert is at or below the policy's
    `stock_out_level` (a later restock lifts it, an alert about one SKU does not count). A
    refund spike keeps `policy.refund_spike_cut` of its product's GMV in the plan.
    """
    # Here, not at the top: the allocation loads SciPy, needed from the first review on.
    from shopcrew.agents.planner.reactions import out_of_stock_products

    level = policy.stock_out_level
    alerts = [
        e.model_copy(update={"level": 0 if e.level <= level else e.level})
        for e in entries
        if isinstance(e, StockAlert)
    ]
    out = out_of_stock_products(alerts)
    rate = 1.0 - policy.refund_spike_cut
    spiked = {
        e.product_id: rate
        for e in entries
        if isinstance(e, CampaignNote) and e.product_id and e.text.startswith(REFUND_SPIKE)
    }
    paused: list[str] = []
    for campaign in ads.list_campaigns():
        if campaign.listing_id in out and campaign.status == "active":
            ads.pause_campaign(campaign.id, idempotency_key=f"{run_id}:pause:{campaign.id}")
            paused.append(campaign.id)
            logger.info(
                "campaign %s paused: product %s out of stock", campaign.id, campaign.listing_id
            )
    return Reactions(paused=tuple(paused), refund_rates=spiked)


def plan_budgets(
    ads: AdsAdapter, *, policy: Policy, reactions: Reactions, released: float = 0.0
) -> AllocationPlan | None:
    """Plan tomorrow's budgets of the active campaigns, or None when none can be planned.

    The total is the policy's, else today's total of the active campaigns plus `released`
    (the budget of campaigns just paused). Campaigns of a product with a refund spike have
    their expected GMV scaled down (`react_to_blackboard`), which lowers their priority.
    """
    from shopcrew.agents.planner.reactions import react_to_blackboard

    active: list[Campaign] = [c for c in ads.list_campaigns() if c.status == "active" and c.history]
    if not active:
        return None
    current = {c.id: min(c.current_budget(), c.max_budget or c.current_budget()) for c in active}
    total = policy.daily_ad_budget
    if total is None:
        total = sum(current.values()) + released
    market = Market(
        id=f"{ads.merchant_id}-review",
        currency="CNY" if policy.currency == "CNY" else "USD",
        total_budget=total,
        min_roas=policy.min_roas,
        history_days=max(len(c.history) for c in active),
        current_allocation=current,
        campaigns=tuple(active),
    )
    return react_to_blackboard(market, refund_rates=reactions.refund_rates).plan


def explain(plan: AllocationPlan) -> str:
    """The proposal for a person: gains and losses, expected GMV change, marginal ROAS."""
    lines = [plan.summary()]
    for move in plan.moves:
        lines.append(
            f"- {move.campaign_id}: {move.current:.2f} -> {move.proposed:.2f} "
            f"({move.relative_change:+.0%}); {move.reason}"
        )
    return "\n".join(lines)


def budget_request(
    plan: AllocationPlan, *, policy: Policy, now: datetime, run_id: str
) -> ApprovalRequest | None:
    """An approval request for the plan when a campaign moves past the threshold, else None."""
    if plan.max_relative_move <= policy.budget_move_threshold:
        return None
    return ApprovalRequest.create(
        id=f"{run_id}:budgets",
        requested_by="planner",
        action="set_campaign_budgets",
        payload={"budgets": dict(plan.budgets)},
        reason=explain(plan),
        created_at=now,
        expires_at=now + policy.approval_ttl,
    )
