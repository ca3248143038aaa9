"""Errors of running the crew: events, agents, models, settings, workers."""

from __future__ import annotations

from shopcrew.errors._base import ConfigError, RunAbortedError, ShopcrewError

__all__ = [
    "AgentUnavailableError",
    "InvalidEventError",
    "LeaseLostError",
    "ModelEndpointError",
    "ServerGraphConfigError",
    "ShoppingSolverError",
    "ThreadBusyError",
    "TrialsConfigError",
    "UnknownModelSpecError",
]


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


class UnknownModelSpecError(ConfigError):
    """A model spec that `shopcrew.models.resolve_model` does not accept."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        super().__init__(
            f"Unknown model {spec!r}. Accepted: 'rules' (the offline rules model), "
            "'openai:<model name>' (any OpenAI-compatible endpoint, from OPENAI_BASE_URL and "
            "OPENAI_API_KEY), or a langchain BaseChatModel instance."
        )


class ModelEndpointError(ConfigError):
    """A real model asked for with no endpoint to reach it: nothing runs in its place."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        super().__init__(
            f"model {spec!r} needs an endpoint: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL "
            "(an OpenAI-compatible server), or pass --model rules for the offline rules model"
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


class ServerGraphConfigError(ConfigError):
    """A run's `configurable` does not validate; the graph was not built."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(
            f"configurable.{where}: {problem}. Fix the assistant's config (or the run's) "
            "`configurable`; see `shopcrew.langgraph_app` for the accepted keys."
        )


class TrialsConfigError(ConfigError):
    """`run_trials` was called with options it cannot run; nothing ran."""


class LeaseLostError(RunAbortedError, RuntimeError):
    """A worker lost its thread's lease (another took it over): its writes were refused.

    A `RunAbortedError`: the tool layer turns other errors into messages for the model, and
    this one must abort the run instead.
    """

    def __init__(self, thread_lease: str) -> None:
        self.lease_key = thread_lease
        super().__init__(
            f"lease {thread_lease!r} is no longer held by this worker; nothing was written. "
            "Another worker runs the thread now; raise the lease time if events run longer."
        )


class ThreadBusyError(ShopcrewError, TimeoutError):
    """Another run held a thread for longer than a caller would wait; nothing ran.

    One thread runs one event at a time, across processes (the thread's lease): a request for
    a thread that another server or worker is running waits for it, up to a bound.
    """

    def __init__(self, thread_id: str, *, waited: float, retry_after: int = 1) -> None:
        self.thread_id, self.waited, self.retry_after = thread_id, waited, retry_after
        super().__init__(
            f"Thread {thread_id!r} is still being run by another request after {waited:.1f}s "
            f"of waiting; nothing ran. Retry in {retry_after}s with the same event or message "
            "id: a run that finished meanwhile is not run again."
        )
