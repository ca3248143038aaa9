"""Errors of the HTTP service: keys, merchants, threads and escalations."""

from __future__ import annotations

from shopcrew.errors._base import ShopcrewError

__all__ = [
    "AuthenticationError",
    "InvalidMerchantIdError",
    "ServiceError",
    "StaleEscalationError",
    "UnknownApiKeyError",
    "UnknownEscalationError",
    "UnknownThreadError",
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
