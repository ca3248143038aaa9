"""State schemas and graph factories: the crew graph and each agent's subgraph."""

from shopcrew.graphs.approval_gate import ApprovalGate, decide
from shopcrew.graphs.crew import CrewState, build_crew, crew_builder, send_event
from shopcrew.graphs.cs_graph import CsState, build_cs_agent, cs_agent_builder
from shopcrew.graphs.demand_graph import (
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
from shopcrew.graphs.planner_graph import PlannerState, planner_builder
from shopcrew.graphs.store_manager_graph import (
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
    "StoreManagerState",
    "build_crew",
    "build_cs_agent",
    "build_demand_planner",
    "build_store_manager",
    "crew_builder",
    "cs_agent_builder",
    "decide",
    "demand_planner_builder",
    "parse_event",
    "planner_builder",
    "send_event",
    "store_manager_builder",
]
