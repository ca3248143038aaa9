"""The customer-service agent's graph: its state, nodes, messages and factories (see `graph`)."""

from shopcrew.graphs.cs._messages import turn_reply
from shopcrew.graphs.cs.graph import build_cs_agent, cs_agent_builder, escalate
from shopcrew.graphs.cs.state import CsNode, CsState, EscalationStatusUpdate, awaits_person

__all__ = [
    "CsNode",
    "CsState",
    "EscalationStatusUpdate",
    "awaits_person",
    "build_cs_agent",
    "cs_agent_builder",
    "escalate",
    "turn_reply",
]
