"""One crew per merchant, built on first use and cached: its memory, adapters and queues."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph.state import CompiledStateGraph

from shopcrew.agents.approvals import ApprovalQueue
from shopcrew.agents.approvals_policy import Policy
from shopcrew.graphs.crew import build_crew
from shopcrew.memory import Memory, connect
from shopcrew.service.keys import check_merchant_id
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.escalations import EscalationIndex

__all__ = ["CrewRegistry", "MerchantCrew"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MerchantCrew:
    """Everything the service runs for one merchant."""

    merchant_id: str
    crew: CompiledStateGraph[Any, Any, Any, Any]
    memory: Memory
    """The merchant's own checkpointer, store and blackboard."""
    approvals: ApprovalQueue
    escalations: EscalationIndex
    """The merchant's escalations, noted by the CS graph wherever it ran (service or worker)."""


class CrewRegistry:
    """Builds each merchant's crew once, on its first request, and keeps it.

    Args:
        model: The chat model of every crew's CS agent.
        memory_for: The memory of a merchant (namespaced by merchant: `connect(url,
            merchant_id=m)`); in-memory memory of its own when omitted.
        adapters_for: The adapters of a merchant; `Adapters.reference(merchant_id=m)` when
            omitted.
        policy_for: The policy of a merchant; `Policy()` when omitted.
    """

    def __init__(
        self,
        *,
        model: BaseChatModel,
        memory_for: Callable[[str], Memory] | None = None,
        adapters_for: Callable[[str], Adapters] | None = None,
        policy_for: Callable[[str], Policy] | None = None,
    ) -> None:
        self.model = model
        self.memory_for = memory_for or _in_memory
        self.adapters_for = adapters_for or _reference
        self.policy_for = policy_for or _default_policy
        self._crews: dict[str, MerchantCrew] = {}
        self._building = asyncio.Lock()
        self._threads: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def get(self, merchant_id: str) -> MerchantCrew:
        """The merchant's crew, built (off the event loop) on first use."""
        found = self._crews.get(merchant_id)
        if found is not None:
            return found
        async with self._building:
            found = self._crews.get(merchant_id)
            if found is None:
                found = await asyncio.to_thread(self._build, merchant_id)
                self._crews[merchant_id] = found
        return found

    def thread_lock(self, thread_id: str) -> asyncio.Lock:
        """The lock that keeps runs of one thread in order within this process."""
        lock = self._threads.get(thread_id)
        if lock is None:
            lock = asyncio.Lock()
            self._threads[thread_id] = lock
        return lock

    def merchants(self) -> list[str]:
        """The merchants whose crews are built."""
        return sorted(self._crews)

    async def aclose(self) -> None:
        """Close every merchant's memory."""
        crews, self._crews = list(self._crews.values()), {}
        for built in crews:
            await built.memory.aclose()

    def _build(self, merchant_id: str) -> MerchantCrew:
        check_merchant_id(merchant_id)
        memory = self.memory_for(merchant_id)
        crew = build_crew(
            model=self.model,
            checkpointer=memory.checkpointer,
            store=memory.store,
            adapters=self.adapters_for(merchant_id),
            merchant_id=merchant_id,
            policy=self.policy_for(merchant_id),
            blackboard=memory.blackboard,
        )
        logger.info("crew of merchant %s built", merchant_id)
        return MerchantCrew(
            merchant_id=merchant_id,
            crew=crew,
            memory=memory,
            approvals=ApprovalQueue(memory.store, merchant_id=merchant_id),
            escalations=EscalationIndex(memory.store, merchant_id=merchant_id),
        )


def _in_memory(merchant_id: str) -> Memory:
    return connect("", merchant_id=merchant_id)


def _reference(merchant_id: str) -> Adapters:
    return Adapters.reference(merchant_id=merchant_id)


def _default_policy(merchant_id: str) -> Policy:
    return Policy()
