"""The digital employees: each agent's prompt, tools, policy and node functions."""

from shopcrew.agents.approvals import ApprovalQueue, ApprovalRecord, Decision, Verdict
from shopcrew.agents.approvals_policy import Policy
from shopcrew.agents.audit_findings import DEFECT_CODES, DefectCode, DraftFix, Finding, Location
from shopcrew.agents.audit_rules import audit_listing, shorten_title
from shopcrew.agents.cs.confirmation import ConfirmationReading, read_confirmation
from shopcrew.agents.cs.guard import Conversation, CsGuard, Refusal, read_conversation
from shopcrew.agents.cs.proposals import PROPOSE_TOOL, Proposal
from shopcrew.agents.cs_agent import CsPolicy, build_cs_tools, cs_system_prompt
from shopcrew.agents.cs_nlu import Understanding, understand
from shopcrew.agents.digest import build_digest
from shopcrew.agents.planner_allocate import (
    AllocationPlan,
    CampaignMove,
    PlannerSettings,
    allocate,
    plan_market,
)
from shopcrew.agents.planner_fit import FitSettings, MarketFit, fit_campaigns
from shopcrew.agents.store_manager import ListingReport, audit_store

__all__ = [
    "DEFECT_CODES",
    "PROPOSE_TOOL",
    "AllocationPlan",
    "ApprovalQueue",
    "ApprovalRecord",
    "CampaignMove",
    "ConfirmationReading",
    "Conversation",
    "CsGuard",
    "CsPolicy",
    "Decision",
    "DefectCode",
    "DraftFix",
    "Finding",
    "FitSettings",
    "ListingReport",
    "Location",
    "MarketFit",
    "PlannerSettings",
    "Policy",
    "Proposal",
    "Refusal",
    "Understanding",
    "Verdict",
    "allocate",
    "audit_listing",
    "audit_store",
    "build_cs_tools",
    "build_digest",
    "cs_system_prompt",
    "fit_campaigns",
    "plan_market",
    "read_confirmation",
    "read_conversation",
    "shorten_title",
    "understand",
]
