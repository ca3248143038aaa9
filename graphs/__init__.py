"""State schemas and graph factories: the crew graph and each agent's subgraph."""

from shopcrew.graphs.approval_gate import ApprovalGate, decide
from shopcrew.graphs.crew import CrewState, build_crew, crew_builder, send_event
from shopcrew.graphs.cs import CsState, build_cs_agent, cs_agent_builder
from shopcrew.graphs.demand import (
    DemandPlannerState,
    build_demand_planner,
    demand_planner_builder,
)
from shopcrew.graphs.events import (
    AuditTick,
    BudgetReviewTick,
    CrewEvent,
    CustomerMessage,
    HumanDecision,
    OrderEvent,
    PlanningTick,
    parse_event,
)
from shopcrew.graphs.planner import PlannerState, build_planner, planner_builder
from shopcrew.graphs.shopping import (
    ShoppingState,
    build_shopping_guide,
    shopping_guide_builder,
)
from shopcrew.graphs.store_manager import (
    StoreManagerState,
    build_store_manager,
    store_manager_builder,
)

__all__ = [
    "ApprovalGate",
    "AuditTick",
    "BudgetReviewTick",
    "CrewEvent",
    "CrewState",
    "CsState",
    "CustomerMessage",
    "DemandPlannerState",
    "HumanDecision",
    "OrderEvent",
    "PlannerState",
    "PlanningTick",
    "ShoppingState",
    "StoreManagerState",
    "build_crew",
    "build_cs_agent",
    "build_demand_planner",
    "build_planner",
    "build_shopping_guide",
    "build_store_manager",
    "crew_builder",
    "cs_agent_builder",
    "decide",
    "demand_planner_builder",
    "parse_event",
    "planner_builder",
    "send_event",
    "shopping_guide_builder",
    "store_manager_builder",
]
