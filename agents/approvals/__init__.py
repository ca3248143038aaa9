"""The approval queue the agents share: risky actions wait here for a person's decision."""

from shopcrew.agents.approvals.actions import (
    ACTIONS,
    ActionKind,
    SetCampaignBudgets,
    SetListingStatus,
    SetVariantPrice,
    apply_action,
)
from shopcrew.agents.approvals.queue import (
    ApprovalQueue,
    ApprovalRecord,
    Clock,
    Decision,
    Verdict,
    utc_now,
)
from shopcrew.agents.policy import Policy

__all__ = [
    # the merchant's thresholds
    "Policy",
    # the queue and its decisions
    "ApprovalQueue",
    "ApprovalRecord",
    "Clock",
    "Decision",
    "Verdict",
    "utc_now",
    # the actions an approval releases
    "ACTIONS",
    "ActionKind",
    "SetCampaignBudgets",
    "SetListingStatus",
    "SetVariantPrice",
    "apply_action",
]
