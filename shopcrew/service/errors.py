"""How every typed error becomes an HTTP status and JSON body (the errors: `shopcrew.errors`)."""

from __future__ import annotations

from typing import Final

from shopcrew.errors import (
    AgentUnavailableError,
    ApprovalExpiredError,
    ApprovalMismatchError,
    ApprovalStateError,
    AuthenticationError,
    IdempotencyConflictError,
    IdempotencyInProgressError,
    InvalidEventError,
    InvalidMerchantIdError,
    RedisUnavailableError,
    ShopcrewError,
    StaleApprovalError,
    StaleEscalationError,
    ThreadBusyError,
    ToolInputError,
    UnknownApiKeyError,
    UnknownApprovalError,
    UnknownEscalationError,
    UnknownRecordError,
    UnknownThreadError,
)

__all__ = ["status_for"]


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
    (ThreadBusyError, 503),
)


def status_for(error: ShopcrewError) -> int:
    """The HTTP status of a typed error: the first match in the table, else by its builtin.

    An error that carries its own HTTP status (`BodyTooLargeError`) keeps it; a `LookupError`
    is 404, a `ValueError` 400; any other error of ours is the server's (500).
    """
    own = getattr(error, "status_code", None)
    if isinstance(own, int):
        return own
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    if isinstance(error, LookupError):
        return 404
    if isinstance(error, ValueError):
        return 400
    return 500
