"""The customer-service agent: prompt, tools, guard, structured proposals, confirmations.

The offline rules model's dialogue is `shopcrew.agents.cs.rules`.
"""

from shopcrew.agents.cs.agent import (
    CS_AGENT_NAME,
    CS_POLICY_PROMPT,
    build_cs_tools,
    cs_system_prompt,
    escalation_reason,
    open_ticket,
)
from shopcrew.agents.cs.confirmation import ConfirmationReading, NotYes, read_confirmation
from shopcrew.agents.cs.confirmation_text import render_confirmation
from shopcrew.agents.cs.guard import (
    BLOCKED_PREFIX,
    Conversation,
    CsGuard,
    Refusal,
    read_conversation,
)
from shopcrew.agents.cs.language import Lang, detect_language
from shopcrew.agents.cs.proposals import (
    PROPOSE_TOOL,
    Proposal,
    ProposeActionArgs,
    answered_proposal,
    build_propose_tool,
)
from shopcrew.agents.money import format_money
from shopcrew.agents.policy import CsPolicy, CsSettings

__all__ = [
    # settings, prompt, tools
    "CS_AGENT_NAME",
    "CS_POLICY_PROMPT",
    "CsPolicy",
    "CsSettings",
    "build_cs_tools",
    "cs_system_prompt",
    "escalation_reason",
    "open_ticket",
    # the guard
    "BLOCKED_PREFIX",
    "Conversation",
    "CsGuard",
    "Refusal",
    "read_conversation",
    # proposals and confirmations
    "PROPOSE_TOOL",
    "ConfirmationReading",
    "NotYes",
    "Proposal",
    "ProposeActionArgs",
    "answered_proposal",
    "build_propose_tool",
    "read_confirmation",
    "render_confirmation",
    # the customer's language and money
    "Lang",
    "detect_language",
    "format_money",
]
