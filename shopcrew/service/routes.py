"""The `/v1` routes: every one authenticates its API key, and the key decides the merchant."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sse_starlette import EventSourceResponse, ServerSentEvent

from shopcrew.agents.approvals.queue import ApprovalRecord
from shopcrew.errors import AuthenticationError
from shopcrew.graphs.events import CustomerMessage
from shopcrew.memory import EntryKind
from shopcrew.service.keys import ApiKeyStore
from shopcrew.service.runs import CrewService, StreamItem
from shopcrew.service.schemas import (
    CONVERSATION_ID_PATTERN,
    REF_ID_PATTERN,
    THREAD_ID_PATTERN,
    ApprovalList,
    BlackboardList,
    DecisionIn,
    DecisionOut,
    ErrorBody,
    EscalationList,
    EscalationOut,
    EscalationResumeIn,
    EscalationResumeOut,
    EventIn,
    MessageIn,
    RunResult,
    ThreadState,
)
from shopcrew.tools.records.approvals import ApprovalStatus

__all__ = ["ERROR_RESPONSES", "SSE_RESPONSE", "build_router"]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": why}
    for status, why in [
        (400, "Malformed request."),
        (401, "Missing or unknown API key."),
        (404, "No such thing for this key's merchant."),
        (409, "Conflicts with the current state (already decided, no longer waiting)."),
        (410, "Expired."),
        (413, "Request body too large."),
        (422, "The request does not validate."),
    ]
}
"""Documented on every `/v1` route: the JSON error body of each 4xx."""

_SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"enum": ["metadata", "updates", "messages", "end", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-sent events: `metadata`, then `updates` and `messages` "
        "(LangGraph stream modes), then `end` with the RunResult or `error`.",
        "content": {"text/event-stream": {"schema": _SSE_EVENT}},
    }
}

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The API key.")

ConversationId = Annotated[
    str, Path(pattern=CONVERSATION_ID_PATTERN, description="Your conversation id.")
]
ThreadId = Annotated[str, Path(pattern=THREAD_ID_PATTERN, description="A thread id.")]
RequestId = Annotated[str, Path(pattern=REF_ID_PATTERN, description="Approval request id.")]
TicketId = Annotated[str, Path(pattern=REF_ID_PATTERN, description="Escalation ticket id.")]


async def _merchant(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> str:
    """The merchant of the request's API key (`app.state.api_keys` verifies it)."""
    key = bearer.credentials if bearer is not None else api_key
    if not key:
        raise AuthenticationError("no API key")
    keys: ApiKeyStore = request.app.state.api_keys
    record = await keys.averify(key)
    if record is None:
        raise AuthenticationError("unknown or revoked API key")
    return record.merchant_id


Merchant = Annotated[str, Depends(_merchant)]
"""The merchant the request's API key belongs to: the only source of a merchant id."""


def _customer_message(conversation_id: str, body: MessageIn) -> CustomerMessage:
    fields = body.model_dump(exclude_none=True)
    return CustomerMessage(conversation_id=conversation_id, **fields)


def _sse(items: AsyncIterator[StreamItem]) -> EventSourceResponse:
    async def events() -> AsyncIterator[ServerSentEvent]:
        async for name, data in items:
            yield ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=name)

    return EventSourceResponse(events(), ping=15)


def build_router(service: CrewService) -> APIRouter:
    """The `/v1` router over `service`; the app keeps its `ApiKeyStore` in `state.api_keys`."""
    router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
    for add_routes in (
        _event_routes,
        _conversation_routes,
        _approval_routes,
        _escalation_routes,
        _blackboard_routes,
    ):
        add_routes(router, service)
    return router


def _event_routes(router: APIRouter, service: CrewService) -> None:
    """`/events`: any event, run or streamed."""

    @router.post("/events", response_model=RunResult, tags=["events"])
    async def post_event(merchant_id: Merchant, event: Annotated[EventIn, Body()]) -> RunResult:
        """Run an event on its thread; resending an event id runs nothing again."""
        return await service.run(merchant_id, event)

    @router.post(
        "/events/stream",
        response_class=EventSourceResponse,
        responses=SSE_RESPONSE,
        tags=["events"],
    )
    async def stream_event(
        merchant_id: Merchant, event: Annotated[EventIn, Body()]
    ) -> EventSourceResponse:
        """Run an event and stream its steps as server-sent events."""
        return _sse(service.stream(merchant_id, event))


def _conversation_routes(router: APIRouter, service: CrewService) -> None:
    """`/conversations` and `/threads`: customer messages and thread states."""

    @router.post(
        "/conversations/{conversation_id}/messages",
        response_model=RunResult,
        tags=["conversations"],
    )
    async def post_message(
        merchant_id: Merchant, conversation_id: ConversationId, body: MessageIn
    ) -> RunResult:
        """A customer's message: the CS agent answers in the conversation's thread."""
        return await service.run(merchant_id, _customer_message(conversation_id, body))

    @router.post(
        "/conversations/{conversation_id}/messages/stream",
        response_class=EventSourceResponse,
        responses=SSE_RESPONSE,
        tags=["conversations"],
    )
    async def stream_message(
        merchant_id: Merchant, conversation_id: ConversationId, body: MessageIn
    ) -> EventSourceResponse:
        """A customer's message, the reply streamed as server-sent events."""
        event = _customer_message(conversation_id, body)
        return _sse(service.stream(merchant_id, event))

    @router.get(
        "/conversations/{conversation_id}", response_model=ThreadState, tags=["conversations"]
    )
    async def get_conversation(
        merchant_id: Merchant, conversation_id: ConversationId
    ) -> ThreadState:
        """A conversation's messages, status and escalation."""
        return await service.thread(merchant_id, f"{merchant_id}:cs:{conversation_id}")

    @router.get("/threads/{thread_id}", response_model=ThreadState, tags=["threads"])
    async def get_thread(merchant_id: Merchant, thread_id: ThreadId) -> ThreadState:
        """Any thread of the merchant, by the id a run returned."""
        return await service.thread(merchant_id, thread_id)


def _approval_routes(router: APIRouter, service: CrewService) -> None:
    """`/approvals`: the requests waiting for a person, and their decisions."""

    @router.get("/approvals", response_model=ApprovalList, tags=["approvals"])
    async def list_approvals(
        merchant_id: Merchant,
        status: Annotated[ApprovalStatus | None, Query(description="Only this status.")] = (
            "pending"
        ),
    ) -> ApprovalList:
        """Approval requests, oldest first (pending ones unless `status` says otherwise)."""
        return await service.approvals(merchant_id, status)

    @router.get("/approvals/{request_id}", response_model=ApprovalRecord, tags=["approvals"])
    async def get_approval(merchant_id: Merchant, request_id: RequestId) -> ApprovalRecord:
        """One approval request and its decision."""
        return await service.approval(merchant_id, request_id)

    @router.post("/approvals/{request_id}/decision", response_model=DecisionOut, tags=["approvals"])
    async def decide(
        merchant_id: Merchant, request_id: RequestId, body: Annotated[DecisionIn, Body()]
    ) -> DecisionOut:
        """Approve, reject or edit a waiting request; its thread resumes."""
        return await service.decide(merchant_id, request_id, body)


def _escalation_routes(router: APIRouter, service: CrewService) -> None:
    """`/escalations`: conversations handed to a person, and the replies."""

    @router.get("/escalations", response_model=EscalationList, tags=["escalations"])
    async def list_escalations(
        merchant_id: Merchant,
        waiting: Annotated[
            bool | None, Query(description="Only those waiting (true) or answered (false).")
        ] = True,
    ) -> EscalationList:
        """Conversations handed to a person (those waiting, unless `waiting` says otherwise)."""
        return await service.escalations(merchant_id, waiting=waiting)

    @router.get("/escalations/{ticket_id}", response_model=EscalationOut, tags=["escalations"])
    async def get_escalation(merchant_id: Merchant, ticket_id: TicketId) -> EscalationOut:
        """One escalation."""
        return await service.escalation(merchant_id, ticket_id)

    @router.post(
        "/escalations/{ticket_id}/resume", response_model=EscalationResumeOut, tags=["escalations"]
    )
    async def resume_escalation(
        merchant_id: Merchant, ticket_id: TicketId, body: EscalationResumeIn
    ) -> EscalationResumeOut:
        """A person's reply to an escalated conversation: it resumes with that reply."""
        return await service.resume_escalation(merchant_id, ticket_id, body)


def _blackboard_routes(router: APIRouter, service: CrewService) -> None:
    """`/blackboard`: what the merchant's agents told each other."""

    @router.get("/blackboard", response_model=BlackboardList, tags=["blackboard"])
    async def get_blackboard(
        merchant_id: Merchant,
        kind: Annotated[EntryKind | None, Query(description="Only this kind.")] = None,
    ) -> BlackboardList:
        """What the merchant's agents told each other, oldest first."""
        return await service.blackboard(merchant_id, kind)
