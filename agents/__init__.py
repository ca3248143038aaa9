"""The digital employees, one subpackage each, and what they share.

- `shopcrew.agents.cs`: customer service (the guard, proposals, the rules model's dialogue);
- `shopcrew.agents.store_manager`: listing audits and fixes;
- `shopcrew.agents.planner`: ad budgets (it loads NumPy and SciPy, so it is not imported here);
- `shopcrew.agents.approvals`: the approval queue the agents share;
- `shopcrew.agents.policy`: the merchant's `Policy`; `shopcrew.agents.digest`: the daily digest.

Agents never import each other: they talk through the blackboard and the store.
"""

from shopcrew.agents.approvals import ApprovalQueue, ApprovalRecord, Decision, Verdict
from shopcrew.agents.cs import (
    PROPOSE_TOOL,
    ConfirmationReading,
    Conversation,
    CsGuard,
    CsPolicy,
    CsSettings,
    Proposal,
    Refusal,
    build_cs_tools,
    cs_system_prompt,
    read_confirmation,
    read_conversation,
)
from shopcrew.agents.digest import build_digest
from shopcrew.agents.policy import Policy, ShoppingSettings
from shopcrew.agents.store_manager import (
    DEFECT_CODES,
    DefectCode,
    DraftFix,
    Finding,
    ListingReport,
    Location,
    audit_listing,
    audit_store,
    shorten_title,
)

__all__ = [
    # the merchant's policy
    "CsPolicy",
    "CsSettings",
    "Policy",
    "ShoppingSettings",
    # customer service
    "PROPOSE_TOOL",
    "ConfirmationReading",
    "Conversation",
    "CsGuard",
    "Proposal",
    "Refusal",
    "build_cs_tools",
    "cs_system_prompt",
    "read_confirmation",
    "read_conversation",
    # the store manager
    "DEFECT_CODES",
    "DefectCode",
    "DraftFix",
    "Finding",
    "ListingReport",
    "Location",
    "audit_listing",
    "audit_store",
    "shorten_title",
    # approvals and the digest
    "ApprovalQueue",
    "ApprovalRecord",
    "Decision",
    "Verdict",
    "build_digest",
]
