"""`build_mcp_server`: one merchant's crew as MCP tools, for the merchant's own AI assistant.

Every tool goes through `CrewService`, the same code as the HTTP service: events run in the
crew graph (so every write passes the CS guard and the approval gate), decisions are bound to
their request, interrupt, action hash and expiry by `adecide`, and each merchant has its own
crew and memory. Over stdio the merchant is the one the server was started for; over HTTP
the API key of each request decides it, as in `shopcrew serve`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Literal, ParamSpec, TypeVar

from langgraph.store.base import BaseStore
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import AwareDatetime, Field, JsonValue, TypeAdapter

from shopcrew.agents.approvals.queue import ApprovalRecord
from shopcrew.agents.digest import build_digest
from shopcrew.errors import AuthenticationError, ShopcrewError
from shopcrew.graphs.events import AuditTick, BudgetReviewTick, CustomerMessage, PlanningTick
from shopcrew.mcp_server._lookups import (
    AuditFindings,
    CatalogResults,
    CustomerOut,
    find_customer,
    latest_audit,
    search_catalog,
)
from shopcrew.memory import Blackboard
from shopcrew.service.keys import ApiKeyStore
from shopcrew.service.runs import CrewService
from shopcrew.service.schemas import (
    CONVERSATION_ID_PATTERN,
    ApprovalList,
    DecisionIn,
    DecisionOut,
    RunResult,
    ThreadState,
)
from shopcrew.tools.records.approvals import ApprovalStatus
from shopcrew.tools.records.retail import Order

__all__ = ["INSTRUCTIONS", "build_mcp_server", "key_of"]

INSTRUCTIONS = (
    "shopcrew runs an online shop's AI staff: a customer-service agent, a store manager that "
    "audits listings, a marketing planner that reviews ad budgets and a demand planner. Use "
    "these tools to look up orders, customers and products, run the agents' reviews, read the "
    "daily digest, and decide the actions that wait for the owner's approval. Risky actions "
    "never happen without a decision: list_approvals shows them, decide_approval answers one "
    "with the action_hash it listed."
)

_READ = ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False)
_RUN = ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False)
_DECIDE = ToolAnnotations(
    readOnlyHint=False, destructiveHint=True, idempotentHint=True, openWorldHint=False
)
_DECISION: TypeAdapter[DecisionIn] = TypeAdapter(DecisionIn)

Optional = Annotated[str | None, Field(default=None)]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _tool(
    server: MCPServer, annotations: ToolAnnotations
) -> Callable[[Callable[_P, Awaitable[_R]]], Callable[_P, Awaitable[_R]]]:
    """Register a tool described by its docstring; our errors reach the model as told.

    A `ShopcrewError` (or a rejected value) says what was wrong and how to fix it, so the
    model sees it; any other failure stays in the server's log as the SDK's generic error.
    """

    def register(fn: Callable[_P, Awaitable[_R]]) -> Callable[_P, Awaitable[_R]]:
        @functools.wraps(fn)
        async def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return await fn(*args, **kwargs)
            except (ShopcrewError, ValueError) as exc:
                raise ToolError(f"{type(exc).__name__}: {exc}") from exc

        server.add_tool(run, description=inspect.getdoc(fn), annotations=annotations)
        return fn

    return register


def key_of(headers: dict[str, str] | None) -> str | None:
    """The API key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    if not headers:
        return None
    lowered = {name.lower(): value for name, value in headers.items()}
    scheme, _, token = lowered.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return lowered.get("x-api-key") or None


class _Merchants:
    """Whose crew a call uses: the fixed merchant (stdio) or its API key's (HTTP)."""

    def __init__(self, merchant_id: str | None, keys: ApiKeyStore | None) -> None:
        if (merchant_id is None) == (keys is None):
            raise ValueError("give build_mcp_server either merchant_id (stdio) or keys (HTTP)")
        self.merchant_id, self.keys = merchant_id, keys

    async def of(self, ctx: Context) -> str:
        if self.keys is None:
            assert self.merchant_id is not None
            return self.merchant_id
        key = key_of(dict(ctx.headers or {}))
        if key is None:
            raise AuthenticationError("no API key")
        record = await self.keys.averify(key)
        if record is None:
            raise AuthenticationError("unknown or revoked API key")
        return record.merchant_id


def build_mcp_server(
    service: CrewService,
    *,
    merchant_id: str | None = None,
    keys: ApiKeyStore | None = None,
    name: str = "shopcrew",
) -> MCPServer:
    """The crew's MCP server over `service`; its lifespan closes the service's crews.

    Args:
        service: The merchants' crews (`CrewService.from_url(build_crews(...)[0], ServiceMetrics(),
            redis_url=...)`: with Redis, runs of a conversation take its lease as
            `shopcrew serve` does); the server's lifespan closes it.
        merchant_id: The only merchant served (stdio: the local user is the shop owner).
        keys: Verify each call's API key and serve its merchant (HTTP); give one of the two.
        name: The server's name as clients show it.

    Raises:
        ValueError: Both or neither of `merchant_id` and `keys` were given.
    """
    merchants = _Merchants(merchant_id, keys)

    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await service.aclose()

    server = MCPServer(name, instructions=INSTRUCTIONS, lifespan=lifespan, log_level="WARNING")
    _lookup_tools(server, service, merchants)
    _agent_tools(server, service, merchants)
    _approval_tools(server, service, merchants)
    return server


def _lookup_tools(server: MCPServer, service: CrewService, merchants: _Merchants) -> None:
    @_tool(server, _READ)
    async def get_order(
        ctx: Context,
        order_id: Annotated[str, Field(description="The order id, e.g. '#W2378156'.")],
    ) -> Order:
        """One order: its items, status, address, fulfilments and payments."""
        async with service.crews.use(await merchants.of(ctx)) as built:
            return await built.adapters.orders.aget_order(order_id)

    @_tool(server, _READ)
    async def find_customer_profile(
        ctx: Context,
        customer_id: Annotated[str | None, Field(description="The customer's id.")] = None,
        email: Annotated[str | None, Field(description="The customer's email.")] = None,
        first_name: Optional = None,
        last_name: Optional = None,
        zip_code: Annotated[str | None, Field(description="With first and last name.")] = None,
    ) -> CustomerOut:
        """A customer's profile and all their orders, found by id, email, or name and zip."""
        async with service.crews.use(await merchants.of(ctx)) as built:
            return await find_customer(
                built.adapters,
                customer_id=customer_id,
                email=email,
                first_name=first_name,
                last_name=last_name,
                zip_code=zip_code,
            )

    @_tool(server, _READ)
    async def search_products(
        ctx: Context,
        query: Annotated[
            str, Field(min_length=1, description="Words of a product name or option values.")
        ],
        available_only: Annotated[bool, Field(description="Only variants in stock.")] = False,
        limit: Annotated[int, Field(ge=1, le=50, description="At most this many.")] = 5,
    ) -> CatalogResults:
        """Search the catalog: products and variants (item ids, options, price, stock)."""
        async with service.crews.use(await merchants.of(ctx)) as built:
            return await search_catalog(
                built.adapters, query, available_only=available_only, limit=limit
            )

    @_tool(server, _READ)
    async def daily_digest(
        ctx: Context,
        since: Annotated[
            AwareDatetime | None, Field(description="Only what happened since (ISO 8601).")
        ] = None,
    ) -> str:
        """The owner's daily digest, in Markdown.

        Listing defects, customer complaints, approvals waiting and decided, budget changes.
        """
        merchant_id = await merchants.of(ctx)
        async with service.crews.use(merchant_id) as built:
            return await asyncio.to_thread(
                _digest, built.memory.store, built.memory.blackboard, merchant_id, since
            )

    @_tool(server, _READ)
    async def listing_findings(ctx: Context) -> AuditFindings:
        """The latest listing audit's findings: each listing's defects and how to fix them."""
        merchant_id = await merchants.of(ctx)
        async with service.crews.use(merchant_id) as built:
            return await asyncio.to_thread(latest_audit, built.memory.store, merchant_id)


def _digest(
    store: BaseStore, blackboard: Blackboard, merchant_id: str, since: datetime | None
) -> str:
    digest: str = build_digest(store, blackboard, merchant_id=merchant_id, since=since)
    return digest


def _agent_tools(server: MCPServer, service: CrewService, merchants: _Merchants) -> None:
    @_tool(server, _RUN)
    async def run_listing_audit(
        ctx: Context,
        listing_ids: Annotated[
            list[str] | None, Field(description="Only these listings; all when omitted.")
        ] = None,
    ) -> RunResult:
        """Have the store manager audit the listings now.

        The findings are in `report`; risky fixes it proposes wait in the approval queue
        (status 'waiting').
        """
        event = AuditTick(listing_ids=listing_ids)
        return await service.run(await merchants.of(ctx), event)

    @_tool(server, _RUN)
    async def run_budget_review(ctx: Context) -> RunResult:
        """Have the marketing planner review the ad budgets now.

        `report` has the proposed budgets; moves above the merchant's threshold wait in the
        approval queue (status 'waiting').
        """
        return await service.run(await merchants.of(ctx), BudgetReviewTick())

    @_tool(server, _RUN)
    async def run_demand_plan(ctx: Context) -> RunResult:
        """Have the demand planner forecast demand and plan stock transfers now.

        Needs the shop's demand data; `report` has the forecast and the plan.
        """
        return await service.run(await merchants.of(ctx), PlanningTick())

    @_tool(server, _RUN)
    async def message_customer_service(
        ctx: Context,
        conversation_id: Annotated[
            str,
            Field(pattern=CONVERSATION_ID_PATTERN, description="Keeps one conversation going."),
        ],
        text: Annotated[str, Field(min_length=1, max_length=8000)],
        customer_id: Optional = None,
        message_id: Annotated[
            str | None, Field(description="Resending the same id runs nothing again.")
        ] = None,
    ) -> RunResult:
        """Write to the customer-service agent as (or for) a customer; `reply` is its answer.

        It acts through the same guard as in the shop: a write needs the customer's explicit
        confirmation, and risky ones wait for approval.
        """
        fields = {"id": message_id} if message_id else {}
        event = CustomerMessage(
            conversation_id=conversation_id, text=text, customer_id=customer_id, **fields
        )
        return await service.run(await merchants.of(ctx), event)

    @_tool(server, _READ)
    async def get_conversation(
        ctx: Context,
        conversation_id: Annotated[str, Field(pattern=CONVERSATION_ID_PATTERN)],
    ) -> ThreadState:
        """A customer-service conversation: its messages, status and escalation."""
        merchant_id = await merchants.of(ctx)
        return await service.thread(merchant_id, f"{merchant_id}:cs:{conversation_id}")


def _approval_tools(server: MCPServer, service: CrewService, merchants: _Merchants) -> None:
    @_tool(server, _READ)
    async def list_approvals(
        ctx: Context,
        status: Annotated[
            ApprovalStatus | None, Field(description="Only this status; all when null.")
        ] = "pending",
    ) -> ApprovalList:
        """Actions waiting for the owner (or decided ones), oldest first.

        Each has the `action_hash` a decision must repeat and the `expires_at` it must beat.
        """
        return await service.approvals(await merchants.of(ctx), status)

    @_tool(server, _READ)
    async def get_approval(
        ctx: Context, request_id: Annotated[str, Field(min_length=1, max_length=128)]
    ) -> ApprovalRecord:
        """One approval request and its decision."""
        return await service.approval(await merchants.of(ctx), request_id)

    @_tool(server, _DECIDE)
    async def decide_approval(
        ctx: Context,
        request_id: Annotated[str, Field(min_length=1, max_length=128)],
        verdict: Annotated[
            Literal["approve", "reject", "edit"],
            Field(description="'edit' approves with `payload` as the action's arguments."),
        ],
        action_hash: Annotated[
            str,
            Field(
                pattern=r"^[0-9a-f]{64}$",
                description="The request's action_hash as listed: binds the decision to it.",
            ),
        ],
        by: Annotated[str, Field(min_length=1, max_length=200, description="Who decides.")],
        payload: Annotated[
            dict[str, JsonValue] | None, Field(description="With 'edit' only.")
        ] = None,
        note: Annotated[str, Field(max_length=2000)] = "",
        decision_id: Annotated[
            str | None, Field(description="Resend the same id to retry a decision safely.")
        ] = None,
    ) -> DecisionOut:
        """Approve, reject or edit an action waiting for the owner; the agent resumes.

        A stale hash, an expired request or a second decision is refused.
        """
        fields: dict[str, object] = {
            "verdict": verdict,
            "action_hash": action_hash,
            "by": by,
            "note": note,
            "decision_id": decision_id,
        }
        if verdict == "edit":
            fields["payload"] = payload or {}
        body = _DECISION.validate_python(fields)
        return await service.decide(await merchants.of(ctx), request_id, body)
