"""shopcrew: AI digital employees for online merchants.

The public API: `build_crew` (the crew graph) and the agents' factories, the events they take,
the merchant policy, the approval decisions, memory and the model factory. Subpackages hold the
rest: `shopcrew.tools`, `shopcrew.memory`, `shopcrew.agents`, `shopcrew.graphs`,
`shopcrew.models`, `shopcrew.evaluation`.

Names load on first use: importing a subpackage runs this module first, and `shopcrew.tools`
or the CLI's `eval replay` should not pay for LangGraph, SciPy and the OpenAI client.
"""

import importlib
import typing

from shopcrew.errors import ShopcrewError

if typing.TYPE_CHECKING:
    from shopcrew.agents.approvals.queue import ApprovalQueue, Decision
    from shopcrew.agents.policy import Policy
    from shopcrew.graphs.approval_gate import decide
    from shopcrew.graphs.crew import build_crew, crew_builder, send_event
    from shopcrew.graphs.cs import build_cs_agent
    from shopcrew.graphs.demand import build_demand_planner
    from shopcrew.graphs.events import (
        AuditTick,
        BudgetReviewTick,
        CustomerMessage,
        HumanDecision,
        OrderEvent,
        PlanningTick,
    )
    from shopcrew.graphs.planner import build_planner
    from shopcrew.graphs.shopping import build_shopping_guide
    from shopcrew.graphs.store_manager import build_store_manager
    from shopcrew.memory import connect
    from shopcrew.models import resolve_model

_LAZY = {
    "ApprovalQueue": "shopcrew.agents.approvals.queue",
    "AuditTick": "shopcrew.graphs.events",
    "BudgetReviewTick": "shopcrew.graphs.events",
    "CustomerMessage": "shopcrew.graphs.events",
    "Decision": "shopcrew.agents.approvals.queue",
    "HumanDecision": "shopcrew.graphs.events",
    "OrderEvent": "shopcrew.graphs.events",
    "PlanningTick": "shopcrew.graphs.events",
    "Policy": "shopcrew.agents.policy",
    "build_crew": "shopcrew.graphs.crew",
    "build_cs_agent": "shopcrew.graphs.cs",
    "build_demand_planner": "shopcrew.graphs.demand",
    "build_planner": "shopcrew.graphs.planner",
    "build_shopping_guide": "shopcrew.graphs.shopping",
    "build_store_manager": "shopcrew.graphs.store_manager",
    "connect": "shopcrew.memory",
    "crew_builder": "shopcrew.graphs.crew",
    "decide": "shopcrew.graphs.approval_gate",
    "resolve_model": "shopcrew.models",
    "send_event": "shopcrew.graphs.crew",
}

__all__ = [
    "ApprovalQueue",
    "AuditTick",
    "BudgetReviewTick",
    "CustomerMessage",
    "Decision",
    "HumanDecision",
    "OrderEvent",
    "PlanningTick",
    "Policy",
    "ShopcrewError",
    "build_crew",
    "build_cs_agent",
    "build_demand_planner",
    "build_planner",
    "build_shopping_guide",
    "build_store_manager",
    "connect",
    "crew_builder",
    "decide",
    "resolve_model",
    "send_event",
]


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'shopcrew' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
