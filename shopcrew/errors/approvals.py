"""Errors of the approval queue and the decisions that answer it."""

from __future__ import annotations

from shopcrew.errors._base import ShopcrewError

__all__ = [
    "ApprovalError",
    "ApprovalExpiredError",
    "ApprovalMismatchError",
    "ApprovalStateError",
    "StaleApprovalError",
    "UnknownApprovalError",
]


class ApprovalError(ShopcrewError):
    """A decision on an approval request that cannot be taken; nothing was changed."""


class UnknownApprovalError(ApprovalError, LookupError):
    """A decision names an approval request that the merchant's queue does not hold."""

    def __init__(self, request_id: str, *, merchant_id: str) -> None:
        self.request_id, self.merchant_id = request_id, merchant_id
        super().__init__(
            f"No approval request {request_id!r} for merchant {merchant_id!r}; nothing was "
            "changed. List what waits with `ApprovalQueue.pending()` and answer one of those."
        )


class ApprovalMismatchError(ApprovalError, ValueError):
    """A decision is bound to another interrupt or another action than the request's.

    Attributes:
        request_id: The request the decision names.
        field: `"interrupt_id"` or `"action_hash"`.
        expected: The request's value.
        received: The decision's value.
    """

    def __init__(self, request_id: str, *, field: str, expected: str, received: str) -> None:
        self.request_id, self.field = request_id, field
        self.expected, self.received = expected, received
        super().__init__(
            f"The decision for approval request {request_id!r} carries {field} "
            f"{received[:16]!r}, but the request waits with {expected[:16]!r}: it answers "
            "another request or an action that has changed. Nothing was changed; decide again "
            "from the request as `ApprovalQueue.pending()` lists it now."
        )


class ApprovalExpiredError(ApprovalError, ValueError):
    """A decision arrived after its request expired."""

    def __init__(self, request_id: str, *, expires_at: str) -> None:
        self.request_id, self.expires_at = request_id, expires_at
        super().__init__(
            f"Approval request {request_id!r} expired at {expires_at}; the decision was refused "
            "and nothing was changed. Let the agent propose the action again."
        )


class StaleApprovalError(ApprovalError, ValueError):
    """A decision for a request that no longer waits (already answered, or its run ended)."""

    def __init__(self, request_id: str, *, status: str) -> None:
        self.request_id, self.status = request_id, status
        super().__init__(
            f"Approval request {request_id!r} no longer waits for a decision (it is {status}); "
            "a replayed or late decision is refused and nothing was changed."
        )


class ApprovalStateError(ApprovalError, ValueError):
    """An approval request was decided twice."""

    def __init__(self, request_id: str, status: str) -> None:
        self.request_id, self.status = request_id, status
        super().__init__(
            f"Approval request {request_id!r} is already {status}; a decision is final. "
            "Create a new request to ask again."
        )
