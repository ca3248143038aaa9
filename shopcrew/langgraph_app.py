"""Graph factories for LangGraph's own server (`langgraph dev`, LangGraph Platform).

`langgraph.json` at the repository root names them: `crew` (events in, `{"event": {...}}`) and
`cs_agent` (the customer-service agent alone, `{"messages": [...]}`). The server brings its own
checkpointer and store and attaches them to every run, so the graphs are compiled without
either; approvals and the blackboard live in the server's store.

What a run may choose, under `configurable` (set it once on an assistant with
`client.assistants.create("crew", config={"configurable": {...}})`, or per run):

- `merchant_id`: the merchant (default `"default"`);
- `model`: a `resolve_model` spec; default `$SHOPCREW_MODEL`, else `"rules"` (offline);
- `policy`: `Policy` fields, e.g. `{"budget_move_threshold": 0.3}` (crew only).

The merchant's data is the JSON store directory `$SHOPCREW_STORE_DIR` (the demo store bundled
with the package, with its knowledge base, when unset), loaded once per merchant and kept in
memory for the server's life, so a run sees the changes earlier runs made. To serve your own
platform's data, write a factory like these that builds `Adapters` from your adapters and
point `langgraph.json` at it.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.agents.policy import Policy
from shopcrew.errors import ServerGraphConfigError
from shopcrew.graphs.crew import CrewState, crew_builder
from shopcrew.graphs.cs import CsState, cs_agent_builder
from shopcrew.models import resolve_model
from shopcrew.settings import load_settings
from shopcrew.tools.adapters import Adapters

__all__ = [
    "MODEL_ENV",
    "STORE_DIR_ENV",
    "ServerGraphConfig",
    "ServerGraphConfigError",
    "crew",
    "cs_agent",
]

logger = logging.getLogger(__name__)

MODEL_ENV: Final = "SHOPCREW_MODEL"
"""The model spec the server's graphs use when a run names none."""
STORE_DIR_ENV: Final = "SHOPCREW_STORE_DIR"
"""The JSON store directory the server's merchants start from."""
_CACHED_MERCHANTS: Final = 64


class ServerGraphConfig(BaseModel):
    """The keys of a run's `configurable` the factories read (the server's own are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    merchant_id: str = Field(default="default", pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    model: str | None = Field(default=None, description="A `resolve_model` spec.")
    policy: Policy = Field(default_factory=Policy, description="The merchant policy (crew).")

    @classmethod
    def from_config(cls, config: RunnableConfig | None) -> ServerGraphConfig:
        """Read the keys from a run's config.

        Raises:
            ServerGraphConfigError: A key has a bad value; the message names it.
        """
        configurable = dict((config or {}).get("configurable") or {})
        try:
            return cls.model_validate(configurable)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "configurable"
            raise ServerGraphConfigError(where, str(first["msg"])) from exc


@dataclass(frozen=True, slots=True)
class _Environment:
    model: str
    store_dir: Path | None


def _environment() -> _Environment:
    # `langgraph dev` configures graphs through the environment (langgraph.json's "env").
    settings = load_settings()
    return _Environment(
        model=settings.model,
        store_dir=Path(settings.store_dir) if settings.store_dir else None,
    )


@functools.lru_cache(maxsize=_CACHED_MERCHANTS)
def _adapters(merchant_id: str, store_dir: Path | None) -> Adapters:
    """One merchant's adapters, shared by its graphs for the server's life."""
    logger.info("loading the store of merchant %s", merchant_id)
    if store_dir is None:
        return Adapters.reference(merchant_id=merchant_id)
    return Adapters.from_store_dir(store_dir, merchant_id=merchant_id)


@functools.lru_cache(maxsize=_CACHED_MERCHANTS)
def _crew(
    merchant_id: str, model: str, policy: Policy, store_dir: Path | None
) -> CompiledStateGraph[CrewState, Any, CrewState, CrewState]:
    builder = crew_builder(
        model=resolve_model(model),
        adapters=_adapters(merchant_id, store_dir),
        merchant_id=merchant_id,
        policy=policy,
    )
    return builder.compile(name="crew")


@functools.lru_cache(maxsize=_CACHED_MERCHANTS)
def _cs_agent(
    merchant_id: str, model: str, store_dir: Path | None
) -> CompiledStateGraph[CsState, Any, CsState, CsState]:
    builder = cs_agent_builder(
        model=resolve_model(model),
        adapters=_adapters(merchant_id, store_dir),
        merchant_id=merchant_id,
    )
    return builder.compile(name="cs_agent")


def crew(config: RunnableConfig) -> CompiledStateGraph[CrewState, Any, CrewState, CrewState]:
    """The crew for the run's merchant, model and policy, without checkpointer or store.

    Raises:
        ServerGraphConfigError: The run's `configurable` has a bad value.
    """
    chosen, env = ServerGraphConfig.from_config(config), _environment()
    return _crew(chosen.merchant_id, chosen.model or env.model, chosen.policy, env.store_dir)


def cs_agent(config: RunnableConfig) -> CompiledStateGraph[CsState, Any, CsState, CsState]:
    """The customer-service agent alone for the run's merchant and model.

    Raises:
        ServerGraphConfigError: The run's `configurable` has a bad value.
    """
    chosen, env = ServerGraphConfig.from_config(config), _environment()
    return _cs_agent(chosen.merchant_id, chosen.model or env.model, env.store_dir)


def _load_segmenter() -> None:
    """Load jieba's dictionary now, at import, outside the server's event loop.

    On first use jieba calls `os.getcwd` (through `tempfile.gettempdir`) and reads its dictionary
    cache; inside `langgraph dev`'s event loop those are blocking calls the server refuses
    (`BlockingError`), and the first Chinese message or knowledge-base index would fail.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


_load_segmenter()
