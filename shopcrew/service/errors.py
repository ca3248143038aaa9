"""The service's own errors, and how every typed error becomes an HTTP status and JSON body.

```
ShopcrewError
└── ServiceError
    ├── AuthenticationError (PermissionError) a request without a live API key
    ├── InvalidMerchantIdError (ValueError)   a merchant id that cannot name keys
    ├── UnknownApiKeyError (LookupError)      revoking a key id nobody issued
    ├── UnknownThreadError (LookupError)      a thread or conversation the merchant lacks
    ├── UnknownEscalationError (LookupError)  an escalation ticket the merchant lacks
    └── StaleEscalationError (ValueError)     resuming a ticket whose thread no longer waits
```
"""

from __future__ import annotations

from typing import Final

from shopcrew.errors import (
    AgentUnavailableError,
    ApprovalExpiredError,
    ApprovalMismatchError,
    ApprovalStateError,
    IdempotencyConflictError,
    IdempotencyInProgressError,
    InvalidEventError,
    RedisUnavailableError,
    ShopcrewError,
    StaleApprovalError,
    ToolInputError,
    UnknownApprovalError,
    UnknownRecordError,
)

__all__ = [
    "AuthenticationError",
    "InvalidMerchantIdError",
    "ServiceError",
    "StaleEscalationError",
    "UnknownApiKeyError",
    "UnknownEscalationError",
    "UnknownThreadError",
    "status_for",
]


class ServiceError(ShopcrewError):
    """A problem of the HTTP service (keys, threads, escalations)."""


class InvalidMerchantIdError(ServiceError, ValueError):
    """A merchant id that cannot name keys and threads."""

    def __init__(self, merchant_id: str) -> None:
        self.merchant_id = merchant_id
        super().__init__(
            f"Invalid merchant id {merchant_id!r}: use 1-64 letters, digits, '-' or '_', "
            "starting with a letter or digit."
        )


class UnknownApiKeyError(ServiceError, LookupError):
    """A key id that the key store does not hold."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        super().__init__(
            f"No API key {key_id!r}; list the keys with `shopcrew keys list` and use one "
            "of their ids."
        )


class UnknownThreadError(ServiceError, LookupError):
    """A thread (or conversation) that has no checkpoint for this merchant."""

    def __init__(self, thread_id: str) -> None:
        self.thread_id = thread_id
        super().__init__(
            f"No thread {thread_id!r} for this API key's merchant. Thread ids are returned by "
            "`POST /v1/events`; conversations start with `POST /v1/conversations/{id}/messages`."
        )


class UnknownEscalationError(ServiceError, LookupError):
    """An escalation ticket the merchant does not have."""

    def __init__(self, ticket_id: str) -> None:
        self.ticket_id = ticket_id
        super().__init__(
            f"No escalation {ticket_id!r} for this API key's merchant; list them with "
            "`GET /v1/escalations`."
        )


class StaleEscalationError(ServiceError, ValueError):
    """A resume for an escalation whose conversation no longer waits for a person."""

    def __init__(self, ticket_id: str) -> None:
        self.ticket_id = ticket_id
        super().__init__(
            f"Escalation {ticket_id!r} no longer waits for a person (it was answered, or the "
            "conversation moved on); nothing was changed."
        )


class AuthenticationError(ServiceError, PermissionError):
    """A request without a live API key."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"{problem.capitalize()}: send `Authorization: Bearer <key>` or `X-API-Key: <key>`; "
            "create a key with `shopcrew keys create --merchant <id>`."
        )


_STATUS: Final[tuple[tuple[type[Exception], int], ...]] = (
    (AuthenticationError, 401),
    (InvalidEventError, 422),
    (InvalidMerchantIdError, 422),
    (ToolInputError, 422),
    (UnknownApprovalError, 404),
    (UnknownThreadError, 404),
    (UnknownEscalationError, 404),
    (UnknownApiKeyError, 404),
    (UnknownRecordError, 404),
    (StaleApprovalError, 409),
    (StaleEscalationError, 409),
    (ApprovalMismatchError, 409),
    (ApprovalStateError, 409),
    (IdempotencyConflictError, 409),
    (IdempotencyInProgressError, 409),
    (ApprovalExpiredError, 410),
    (AgentUnavailableError, 422),
    (RedisUnavailableError, 503),
)


def status_for(error: ShopcrewError) -> int:
    """The HTTP status of a typed error: the first match in the table, else by its builtin.

    A `LookupError` is 404, a `ValueError` 400; any other error of ours is the server's (500).
    """
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    if isinstance(error, LookupError):
        return 404
    if isinstance(error, ValueError):
        return 400
    return 500
