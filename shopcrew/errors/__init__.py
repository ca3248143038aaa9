"""The error tree of shopcrew: every error we raise derives from `ShopcrewError`.

```
ShopcrewError
├── DataFileError (ValueError)              a file in a documented format cannot be read
│   ├── StoreFileError (+ StoreError)      a store file is missing or malformed
│   │   └── DuplicateKeyError              it repeats a key inside one JSON object
│   ├── TaskFileError                      a τ-bench task file
│   ├── EvalFormatError                    a line of an eval case or transcript file
│   ├── MarketFileError                    a line of an ad market file
│   ├── DemandFileError                    a line of a demand market, truth or answer file
│   ├── ShoppingDataError                  a language data file of the shopping guide
│   ├── CsLanguageDataError                a language data file of the customer-service agent
│   ├── ResultFileError                    an eval result file
│   ├── ScenarioError                      a scenario file (file, line and field)
│   ├── PlatformTableError                 a platform's MCP mapping table (file and field)
│   └── ReportFormatError                  a scenario report that breaks its contract
├── StoreError
│   ├── StoreFileError                     (above)
│   ├── StoreWriteError (OSError)          a store file could not be written; nothing changed
│   ├── UnknownRecordError (LookupError)   an id that is not in the store
│   ├── ToolInputError (ValueError)        a tool was called with bad arguments
│   │   └── RetailRuleError                a store rule refuses the change (status, items...)
│   ├── PlatformUnavailableError (+ RunAbortedError)
│   │                                      a platform's MCP server did not answer; run ends
│   ├── PlatformResponseError (ValueError) a platform tool's answer the table does not describe
│   └── IdempotencyError
│       ├── IdempotencyConflictError (ValueError)    one key reused for another request
│       └── IdempotencyInProgressError (TimeoutError) the key's first request still runs
├── ApprovalError                          a decision that cannot be taken; nothing changed
│   ├── UnknownApprovalError (LookupError) a decision for a request nobody made
│   ├── ApprovalMismatchError (ValueError) a decision bound to another interrupt or action
│   ├── ApprovalExpiredError (ValueError)  a decision after the request expired
│   ├── StaleApprovalError (ValueError)    a decision for a request that no longer waits
│   └── ApprovalStateError (ValueError)    deciding a request that is already decided
├── MemoryBackendError
│   ├── RedisUnavailableError (ConnectionError)
│   ├── KeyTypeError (TypeError)           a key of the wrong type, left by another program
│   ├── RedisOutOfMemoryError              Redis refused a write at maxmemory; nothing written
│   ├── CheckpointFormatError (ValueError) a checkpoint written by another serde or format
│   └── RedisSpawnError (RuntimeError)     the scenario runner could not start its own Redis
├── ConfigError (ValueError)               a setting or argument that cannot work
│   ├── UnknownModelSpecError              a model spec that resolve_model does not accept
│   ├── ModelEndpointError                 a real model asked for without an endpoint or key
│   ├── ServerGraphConfigError             a LangGraph server run's `configurable`
│   └── TrialsConfigError                  eval trials that cannot run
├── InvalidEventError (ValueError)         a crew event that does not validate; nothing ran
├── AgentUnavailableError (LookupError)    an event for an agent the crew was built without
├── ShoppingSolverError (RuntimeError)     the shopping guide's solver gave no checked answer
├── RunAbortedError                        ends the run instead of being told to the model
│   └── LeaseLostError (RuntimeError)      a worker lost its thread's lease; nothing written
├── ThreadBusyError (TimeoutError)         another run held the thread past the wait; nothing ran
└── ServiceError                           the HTTP service
    ├── AuthenticationError (PermissionError) a request without a live API key
    ├── InvalidMerchantIdError (ValueError)   a merchant id that cannot name keys
    ├── UnknownApiKeyError (LookupError)      revoking a key id nobody issued
    ├── UnknownThreadError (LookupError)      a thread or conversation the merchant lacks
    ├── UnknownEscalationError (LookupError)  an escalation ticket the merchant lacks
    ├── StaleEscalationError (ValueError)     resuming a ticket whose thread no longer waits
    └── BodyTooLargeError (+ HTTPException)   a request body over the limit
                                              (in `shopcrew.service.limits`: it needs Starlette)
```

Catch a family where a caller would: `DataFileError` for any bad input file, `ApprovalError`
for any refused decision, `ConfigError` for a developer's mistake. Each error's attributes
name what was wrong, and its message says what to do. A leaf package: it imports nothing else
of ours, so every layer may use it.
"""

from shopcrew.errors._base import ConfigError, DataFileError, RunAbortedError, ShopcrewError
from shopcrew.errors.approvals import (
    ApprovalError,
    ApprovalExpiredError,
    ApprovalMismatchError,
    ApprovalStateError,
    StaleApprovalError,
    UnknownApprovalError,
)
from shopcrew.errors.files import (
    CsLanguageDataError,
    DemandFileError,
    EvalFormatError,
    MarketFileError,
    ReportFormatError,
    ResultFileError,
    ScenarioError,
    ShoppingDataError,
    TaskFileError,
)
from shopcrew.errors.memory import (
    CheckpointFormatError,
    KeyTypeError,
    MemoryBackendError,
    RedisOutOfMemoryError,
    RedisSpawnError,
    RedisUnavailableError,
)
from shopcrew.errors.platform import (
    PlatformResponseError,
    PlatformTableError,
    PlatformUnavailableError,
)
from shopcrew.errors.runs import (
    AgentUnavailableError,
    InvalidEventError,
    LeaseLostError,
    ModelEndpointError,
    ServerGraphConfigError,
    ShoppingSolverError,
    ThreadBusyError,
    TrialsConfigError,
    UnknownModelSpecError,
)
from shopcrew.errors.service import (
    AuthenticationError,
    InvalidMerchantIdError,
    ServiceError,
    StaleEscalationError,
    UnknownApiKeyError,
    UnknownEscalationError,
    UnknownThreadError,
)
from shopcrew.errors.store import (
    DuplicateKeyError,
    IdempotencyConflictError,
    IdempotencyError,
    IdempotencyInProgressError,
    RetailRuleError,
    StoreError,
    StoreFileError,
    StoreWriteError,
    ToolInputError,
    UnknownRecordError,
)

__all__ = [
    # the root and its families
    "ApprovalError",
    "ConfigError",
    "DataFileError",
    "IdempotencyError",
    "MemoryBackendError",
    "RunAbortedError",
    "ServiceError",
    "ShopcrewError",
    "StoreError",
    # files
    "DemandFileError",
    "EvalFormatError",
    "MarketFileError",
    "ReportFormatError",
    "ResultFileError",
    "ScenarioError",
    "ShoppingDataError",
    "CsLanguageDataError",
    "StoreFileError",
    "TaskFileError",
    # the store
    "DuplicateKeyError",
    "IdempotencyConflictError",
    "IdempotencyInProgressError",
    "RetailRuleError",
    "StoreWriteError",
    "ToolInputError",
    "UnknownRecordError",
    # a platform over MCP
    "PlatformResponseError",
    "PlatformTableError",
    "PlatformUnavailableError",
    # approvals
    "ApprovalExpiredError",
    "ApprovalMismatchError",
    "ApprovalStateError",
    "StaleApprovalError",
    "UnknownApprovalError",
    # memory
    "CheckpointFormatError",
    "KeyTypeError",
    "RedisOutOfMemoryError",
    "RedisSpawnError",
    "RedisUnavailableError",
    # running the crew
    "AgentUnavailableError",
    "InvalidEventError",
    "LeaseLostError",
    "ServerGraphConfigError",
    "ShoppingSolverError",
    "ThreadBusyError",
    "TrialsConfigError",
    "ModelEndpointError",
    "UnknownModelSpecError",
    # the HTTP service
    "AuthenticationError",
    "InvalidMerchantIdError",
    "StaleEscalationError",
    "UnknownApiKeyError",
    "UnknownEscalationError",
    "UnknownThreadError",
]
