"""Errors of the merchant's store and of idempotent writes."""

from __future__ import annotations

from shopcrew.errors._base import DataFileError, ShopcrewError

__all__ = [
    "DuplicateKeyError",
    "IdempotencyConflictError",
    "IdempotencyError",
    "IdempotencyInProgressError",
    "RetailRuleError",
    "StoreError",
    "StoreFileError",
    "StoreWriteError",
    "ToolInputError",
    "UnknownRecordError",
]


class StoreError(ShopcrewError):
    """A problem with the merchant's store data."""


class StoreFileError(StoreError, DataFileError):
    """A store file could not be loaded; nothing was loaded.

    Attributes:
        path: The file.
        record: The id (or index) of the offending record, if one is to blame.
        field: The dotted path of the offending field inside the record, if known.
    """

    def __init__(
        self, path: str, problem: str, *, record: str | None = None, field: str | None = None
    ) -> None:
        self.path, self.problem, self.record, self.field = path, problem, record, field
        where = path
        if record is not None:
            where += f", record {record!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix the file and load it again; nothing was loaded.")


class DuplicateKeyError(StoreFileError):
    """A store file repeats a key inside one JSON object; which value was meant is unknown.

    Attributes:
        key: The repeated key.
    """

    def __init__(self, path: str, key: str, *, record: str | None = None) -> None:
        self.key = key
        super().__init__(
            path, f"the key {key!r} appears twice in one JSON object; keep one", record=record
        )


class StoreWriteError(StoreError, OSError):
    """A store file could not be written; neither the file nor the loaded data changed."""

    def __init__(self, path: str, cause: str) -> None:
        self.path = path
        super().__init__(
            f"Could not write {path} ({cause}); nothing was changed, in memory or on disk. "
            "Check that the directory exists and is writable, then retry the same request."
        )


class UnknownRecordError(StoreError, LookupError):
    """An id that the store does not hold."""

    def __init__(self, kind: str, record_id: str, *, merchant_id: str, hint: str = "") -> None:
        self.kind, self.record_id, self.merchant_id = kind, record_id, merchant_id
        message = f"No {kind} {record_id!r} for merchant {merchant_id!r}."
        super().__init__(f"{message} {hint}".strip())


class ToolInputError(StoreError, ValueError):
    """A tool or adapter call with arguments that cannot be applied; nothing was changed."""


class RetailRuleError(ToolInputError):
    """A retail store rule refuses the change (order status, items, gift card balance).

    Attributes:
        rule: The short reason in τ-bench's words, e.g. ``"non-pending order cannot be
            cancelled"``; the τ-bench compatibility layer returns it as ``Error: <rule>``.
    """

    def __init__(self, rule: str, *, hint: str = "") -> None:
        self.rule = rule
        super().__init__(f"{rule}. {hint}".strip() if hint else rule)


class IdempotencyError(StoreError):
    """A write's idempotency key could not be honoured; nothing was applied twice."""


class IdempotencyConflictError(IdempotencyError, ValueError):
    """The same idempotency key was sent with a different request."""

    def __init__(self, key: str, *, operation: str) -> None:
        self.key, self.operation = key, operation
        super().__init__(
            f"Idempotency key {key!r} was already used for a different {operation} request. "
            "Use a new key for a new request, or resend exactly the same arguments to get "
            "the first result back."
        )


class IdempotencyInProgressError(IdempotencyError, TimeoutError):
    """A request with this idempotency key is still being applied by another caller."""

    def __init__(self, key: str, *, operation: str, waited: float) -> None:
        self.key, self.operation, self.waited = key, operation, waited
        super().__init__(
            f"Idempotency key {key!r} ({operation}) is still being applied by another caller "
            f"after {waited:.1f}s of waiting. Retry later with the same key: you will get the "
            "first result, or apply it yourself if the other caller crashed and its lease expired."
        )
