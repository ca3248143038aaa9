"""The error tree of shopcrew: every error we raise derives from `ShopcrewError`.

```
ShopcrewError
├── StoreError
│   ├── StoreFileError (ValueError)        a store file is missing or malformed
│   ├── StoreWriteError (OSError)          a store file could not be written; nothing changed
│   ├── UnknownRecordError (LookupError)   an id that is not in the store
│   └── ToolInputError (ValueError)        a tool was called with bad arguments
│       └── RetailRuleError                a store rule refuses the change (status, items...)
├── IdempotencyConflictError (ValueError)  one idempotency key reused for another request
├── IdempotencyInProgressError (TimeoutError) the key's first request is still running
├── ApprovalStateError (ValueError)        deciding an approval request that is already decided
├── TaskFileError (ValueError)             a τ-bench task file is missing or malformed
├── MemoryBackendError
│   ├── RedisUnavailableError (ConnectionError)
│   ├── KeyTypeError (TypeError)           a key of the wrong type, left by another program
│   ├── RedisOutOfMemoryError              Redis refused a write at maxmemory; nothing written
│   └── CheckpointFormatError (ValueError) a checkpoint written by another serde or format
├── UnknownModelSpecError (ValueError)     a model spec that resolve_model does not accept
├── EvalFormatError (ValueError)           a malformed line of an eval case or transcript file
├── MarketFileError (ValueError)           a malformed line of an ad market file
├── DemandFileError (ValueError)           a malformed line of a demand market, truth or answer file
├── UnknownApprovalError (LookupError)     a decision for an approval request nobody made
├── ApprovalMismatchError (ValueError)     a decision bound to another interrupt or action
├── ApprovalExpiredError (ValueError)      a decision that arrives after the request expired
├── StaleApprovalError (ValueError)        a decision for a request that no longer waits
├── InvalidEventError (ValueError)         a crew event that does not validate; nothing ran
├── AgentUnavailableError (LookupError)    an event for an agent the crew was built without
├── ShoppingDataError (ValueError)         a language data file of the shopping guide is malformed
└── ShoppingSolverError (RuntimeError)     the shopping guide's solver gave no checked answer
```

Leaf module: it imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

__all__ = [
    "AgentUnavailableError",
    "ApprovalExpiredError",
    "ApprovalMismatchError",
    "ApprovalStateError",
    "CheckpointFormatError",
    "DemandFileError",
    "EvalFormatError",
    "IdempotencyConflictError",
    "IdempotencyInProgressError",
    "InvalidEventError",
    "KeyTypeError",
    "MarketFileError",
    "MemoryBackendError",
    "RedisOutOfMemoryError",
    "RedisUnavailableError",
    "RetailRuleError",
    "ShopcrewError",
    "ShoppingDataError",
    "ShoppingSolverError",
    "StaleApprovalError",
    "StoreError",
    "StoreFileError",
    "StoreWriteError",
    "TaskFileError",
    "ToolInputError",
    "UnknownApprovalError",
    "UnknownModelSpecError",
    "UnknownRecordError",
]


class ShopcrewError(Exception):
    """Root of every error shopcrew raises on purpose."""


class StoreError(ShopcrewError):
    """A problem with the merchant's store data."""


class StoreFileError(StoreError, ValueError):
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


class IdempotencyConflictError(ShopcrewError, ValueError):
    """The same idempotency key was sent with a different request."""

    def __init__(self, key: str, *, operation: str) -> None:
        self.key, self.operation = key, operation
        super().__init__(
            f"Idempotency key {key!r} was already used for a different {operation} request. "
            "Use a new key for a new request, or resend exactly the same arguments to get "
            "the first result back."
        )


class IdempotencyInProgressError(ShopcrewError, TimeoutError):
    """A request with this idempotency key is still being applied by another caller."""

    def __init__(self, key: str, *, operation: str, waited: float) -> None:
        self.key, self.operation, self.waited = key, operation, waited
        super().__init__(
            f"Idempotency key {key!r} ({operation}) is still being applied by another caller "
            f"after {waited:.1f}s of waiting. Retry later with the same key: you will get the "
            "first result, or apply it yourself if the other caller crashed and its lease expired."
        )


class ApprovalStateError(ShopcrewError, ValueError):
    """An approval request was decided twice."""

    def __init__(self, request_id: str, status: str) -> None:
        self.request_id, self.status = request_id, status
        super().__init__(
            f"Approval request {request_id!r} is already {status}; a decision is final. "
            "Create a new request to ask again."
        )


class MemoryBackendError(ShopcrewError):
    """A problem with the memory backend (Redis)."""


class RedisUnavailableError(MemoryBackendError, ConnectionError):
    """The Redis server could not be reached after bounded retries."""

    def __init__(self, server: str, cause: str) -> None:
        self.server = server
        super().__init__(
            f"Redis at {server} is unreachable ({cause}). Check that the server runs and the "
            "URL is right (REDIS_URL or --redis); unset it to use in-memory memory instead."
        )


class KeyTypeError(MemoryBackendError, TypeError):
    """A Redis key holds a type we did not write: another program uses our namespace."""

    def __init__(self, key: str, *, expected: str, found: str) -> None:
        self.key, self.expected, self.found = key, expected, found
        super().__init__(
            f"Redis key {key!r} holds a {found}, expected a {expected}: another program "
            "writes into this namespace. Choose another namespace; nothing was overwritten."
        )


class RedisOutOfMemoryError(MemoryBackendError):
    """Redis refused a write because it reached `maxmemory` (policy `noeviction`).

    The refused call wrote nothing: our writes are single Lua scripts, which Redis refuses
    before their first write or runs to the end.
    """

    def __init__(self, server: str, cause: str) -> None:
        self.server = server
        super().__init__(
            f"Redis at {server} is out of memory and refused the write ({cause}); nothing was "
            "written. Raise its maxmemory, or free memory: prune or delete old threads "
            "(RedisSaver.prune / delete_thread), give threads and items a TTL, or move to a "
            "larger server or a cluster. Keep maxmemory-policy noeviction: an evicting policy "
            "would silently drop checkpoints."
        )


class CheckpointFormatError(MemoryBackendError, ValueError):
    """A stored checkpoint was written by another serde or format version."""


class UnknownModelSpecError(ShopcrewError, ValueError):
    """A model spec that `shopcrew.models.resolve_model` does not accept."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        super().__init__(
            f"Unknown model {spec!r}. Accepted: 'rules' (the offline rules model), "
            "'openai:<model name>' (any OpenAI-compatible endpoint, from OPENAI_BASE_URL and "
            "OPENAI_API_KEY), or a langchain BaseChatModel instance."
        )


class EvalFormatError(ShopcrewError, ValueError):
    """A line of an eval file (cases, transcripts) that does not follow its format.

    Attributes:
        path: The file.
        line: The 1-based line number.
        field: The dotted path of the offending field, if known.
    """

    def __init__(self, path: str, line: int, problem: str, *, field: str | None = None) -> None:
        self.path, self.line, self.problem, self.field = path, line, problem, field
        where = f"{path}, line {line}" + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {problem}. Fix that line; see CS_FORMAT.md for the format.")


class RetailRuleError(ToolInputError):
    """A retail store rule refuses the change (order status, items, gift card balance).

    Attributes:
        rule: The short reason in τ-bench's words, e.g. ``"non-pending order cannot be
            cancelled"``; the τ-bench compatibility layer returns it as ``Error: <rule>``.
    """

    def __init__(self, rule: str, *, hint: str = "") -> None:
        self.rule = rule
        super().__init__(f"{rule}. {hint}".strip() if hint else rule)


class TaskFileError(ShopcrewError, ValueError):
    """A task file could not be read; nothing was run.

    Attributes:
        path: The file.
        task: The id (or index) of the offending task, if one is to blame.
        field: The dotted path of the offending field inside the task, if known.
    """

    def __init__(
        self, path: str, problem: str, *, task: str | None = None, field: str | None = None
    ) -> None:
        self.path, self.problem, self.task, self.field = path, problem, task, field
        where = path
        if task is not None:
            where += f", task {task!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix the task file and run again.")


class MarketFileError(ShopcrewError, ValueError):
    """A line of an ad market file (MARKET_FORMAT.md) that does not follow its format.

    Attributes:
        path: The file.
        line: The 1-based line number.
        market: The market id, when the line got far enough to have one.
        field: The dotted path of the offending field, if known.
    """

    def __init__(
        self,
        path: str,
        line: int,
        problem: str,
        *,
        market: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.line, self.problem = path, line, problem
        self.market, self.field = market, field
        where = f"{path}, line {line}"
        if market is not None:
            where += f", market {market!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix that line; see MARKET_FORMAT.md for the format.")


class DemandFileError(ShopcrewError, ValueError):
    """A line of a demand file (DEMAND_FORMAT.md: markets, truth, answers) off its format.

    Attributes:
        path: The file.
        line: The 1-based line number (0: the file as a whole).
        market: The market id, when the line got far enough to have one.
        field: The dotted path of the offending field, if known.
    """

    def __init__(
        self,
        path: str,
        line: int,
        problem: str,
        *,
        market: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.line, self.problem = path, line, problem
        self.market, self.field = market, field
        where = path if line == 0 else f"{path}, line {line}"
        if market is not None:
            where += f", market {market!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix that line; see DEMAND_FORMAT.md for the format.")


class UnknownApprovalError(ShopcrewError, LookupError):
    """A decision names an approval request that the merchant's queue does not hold."""

    def __init__(self, request_id: str, *, merchant_id: str) -> None:
        self.request_id, self.merchant_id = request_id, merchant_id
        super().__init__(
            f"No approval request {request_id!r} for merchant {merchant_id!r}; nothing was "
            "changed. List what waits with `ApprovalQueue.pending()` and answer one of those."
        )


class ApprovalMismatchError(ShopcrewError, ValueError):
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


class ApprovalExpiredError(ShopcrewError, ValueError):
    """A decision arrived after its request expired."""

    def __init__(self, request_id: str, *, expires_at: str) -> None:
        self.request_id, self.expires_at = request_id, expires_at
        super().__init__(
            f"Approval request {request_id!r} expired at {expires_at}; the decision was refused "
            "and nothing was changed. Let the agent propose the action again."
        )


class StaleApprovalError(ShopcrewError, ValueError):
    """A decision for a request that no longer waits (already answered, or its run ended)."""

    def __init__(self, request_id: str, *, status: str) -> None:
        self.request_id, self.status = request_id, status
        super().__init__(
            f"Approval request {request_id!r} no longer waits for a decision (it is {status}); "
            "a replayed or late decision is refused and nothing was changed."
        )


class InvalidEventError(ShopcrewError, ValueError):
    """A crew event that does not validate; nothing ran.

    Attributes:
        problem: What was wrong, with the offending field.
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"Invalid crew event: {problem}. Nothing ran. Send one of CustomerMessage, "
            "OrderEvent, AuditTick, BudgetReviewTick, PlanningTick or HumanDecision "
            "(see shopcrew.graphs.events)."
        )


class AgentUnavailableError(ShopcrewError, LookupError):
    """An event was routed to an agent the crew was built without."""

    def __init__(self, agent: str, *, why: str) -> None:
        self.agent = agent
        super().__init__(f"The {agent} agent is not available in this crew: {why}. Nothing ran.")


class ShoppingDataError(ShopcrewError, ValueError):
    """A language data file of the shopping guide (`agents/shopping/lang/`) is missing or malformed.

    Attributes:
        path: The file, relative to `lang/`.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"shopping guide data file lang/{path}: {problem}. Fix the file (it ships with the "
            "package; reinstall it if it was changed by accident)."
        )


class ShoppingSolverError(ShopcrewError, RuntimeError):
    """The shopping guide's integer program ended without an answer it could check.

    Never expected on a catalog of reasonable size; the message names the solver's status.
    """

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(
            f"the shopping guide's solver stopped without a checked answer ({status}); "
            "report it with the request that caused it."
        )
