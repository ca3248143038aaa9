"""Usage accounting: tokens, latency and, when a price is known, cost of every chat-model run."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from shopcrew.tracing import price_of

__all__ = ["RunUsage", "UsageRecorder", "UsageTotals", "price_of", "total"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunUsage:
    """What one chat-model call cost."""

    run_id: str
    model: str
    """The model name the provider reported, else the one asked for; ``""`` when unknown."""
    input_tokens: int
    output_tokens: int
    latency_s: float
    """Wall time from the call's start to its end, in seconds."""
    cost_usd: Decimal | None
    """Price in US dollars from `genai-prices`; None when the model has no known price."""


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """The sum over many runs."""

    runs: int
    input_tokens: int
    output_tokens: int
    latency_s: float
    cost_usd: Decimal | None
    """Sum of the known costs; None when no run had a known price."""
    unpriced_runs: int
    """Runs whose model had no known price (their cost is missing from ``cost_usd``)."""


def _tokens(response: LLMResult) -> tuple[int, int, str]:
    model = ""
    output = response.llm_output or {}
    if isinstance(output.get("model_name"), str):
        model = output["model_name"]
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration):
                message = generation.message
                usage = getattr(message, "usage_metadata", None)
                name = message.response_metadata.get("model_name")
                if isinstance(name, str) and name:
                    model = name
                if usage:
                    return usage["input_tokens"], usage["output_tokens"], model
    token_usage = output.get("token_usage") or {}
    return (
        int(token_usage.get("prompt_tokens", 0)),
        int(token_usage.get("completion_tokens", 0)),
        model,
    )


class UsageRecorder(BaseCallbackHandler):
    """A LangChain callback handler that records token usage and latency per chat-model run.

    Pass it as a callback (``model.invoke(..., config={"callbacks": [recorder]})`` or in a
    graph's config); read ``runs`` or ``totals()`` afterwards. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[UUID, tuple[float, str]] = {}
        self.runs: list[RunUsage] = []

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Note when the run started and which model it asked for."""
        asked = _asked_model(kwargs.get("invocation_params") or {}, metadata or {})
        with self._lock:
            self._started[run_id] = (time.perf_counter(), asked)

    def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        """Record the finished run."""
        with self._lock:
            started, asked = self._started.pop(run_id, (time.perf_counter(), ""))
        input_tokens, output_tokens, model = _tokens(response)
        model = model or asked
        cost = price_of(model, input_tokens=input_tokens, output_tokens=output_tokens)
        record = RunUsage(
            run_id=str(run_id),
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_s=time.perf_counter() - started,
            cost_usd=cost,
        )
        with self._lock:
            self.runs.append(record)
        logger.debug("model run %s: %s in, %s out", run_id, input_tokens, output_tokens)

    def on_llm_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        """Forget a run that failed."""
        with self._lock:
            self._started.pop(run_id, None)

    def totals(self) -> UsageTotals:
        """Sum the recorded runs."""
        with self._lock:
            runs = list(self.runs)
        return total(runs)


def total(runs: Sequence[RunUsage]) -> UsageTotals:
    """Sum runs into totals."""
    costs = [run.cost_usd for run in runs if run.cost_usd is not None]
    return UsageTotals(
        runs=len(runs),
        input_tokens=sum(run.input_tokens for run in runs),
        output_tokens=sum(run.output_tokens for run in runs),
        latency_s=sum(run.latency_s for run in runs),
        cost_usd=sum(costs, Decimal(0)) if costs else None,
        unpriced_runs=len(runs) - len(costs),
    )


def _asked_model(params: Mapping[str, Any], metadata: Mapping[str, Any]) -> str:
    for value in (params.get("model"), params.get("model_name"), metadata.get("ls_model_name")):
        if isinstance(value, str) and value:
            return value
    return ""
