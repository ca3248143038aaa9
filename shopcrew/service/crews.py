"""One crew per merchant, built on first use and kept while recently used: memory, adapters."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph.state import CompiledStateGraph

from shopcrew.agents.approvals.queue import ApprovalQueue
from shopcrew.agents.policy import Policy
from shopcrew.graphs.crew import build_crew
from shopcrew.memory import Memory, connect
from shopcrew.service.keys import check_merchant_id
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.records.escalations import EscalationIndex

__all__ = ["DEFAULT_MAX_CREWS", "CrewRegistry", "MerchantCrew"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_CREWS = 32
"""Merchants whose crews a service keeps built at once: each holds its graphs and adapters
(about 7 MiB with the reference JSON store)."""


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
    adapters: Adapters
    """The adapters the crew was built with: reads see the crew's own writes."""


class CrewRegistry:
    """Builds each merchant's crew on its first request and keeps the most recently used ones.

    At most `max_crews` crews stay built; the least recently used one is dropped for a new
    one, and built again on its merchant's next request. The crew is a cache: a merchant's
    state lives in its memory. Redis memory of a dropped crew is closed once the requests
    using it have finished; memory without a URL (in process) holds the state itself, so it
    is kept for the merchant's next crew. Adapters are built again with the crew: the JSON
    reference adapters keep retail writes in process (lost with a dropped crew, as on a
    restart), so a service that drops crews wants adapters over a platform API or shared data.

    Args:
        model: The chat model of every crew's CS agent.
        memory_for: The memory of a merchant (namespaced by merchant: `connect(url,
            merchant_id=m)`); in-memory memory of its own when omitted.
        adapters_for: The adapters of a merchant; `Adapters.reference(merchant_id=m)` when
            omitted.
        policy_for: The policy of a merchant; `Policy()` when omitted.
        max_crews: How many merchants' crews stay built at once.

    Raises:
        ValueError: `max_crews` is below 1.
    """

    def __init__(
        self,
        *,
        model: BaseChatModel,
        memory_for: Callable[[str], Memory] | None = None,
        adapters_for: Callable[[str], Adapters] | None = None,
        policy_for: Callable[[str], Policy] | None = None,
        max_crews: int = DEFAULT_MAX_CREWS,
    ) -> None:
        if max_crews < 1:
            raise ValueError(f"max_crews must be at least 1, got {max_crews}")
        self.model = model
        self.memory_for = memory_for or _in_memory
        self.adapters_for = adapters_for or _reference
        self.policy_for = policy_for or _default_policy
        self.max_crews = max_crews
        self._crews: OrderedDict[str, MerchantCrew] = OrderedDict()
        self._in_process: dict[str, Memory] = {}
        self._users: dict[int, int] = {}
        """Requests using each crew (by `id`), so a dropped crew's memory outlives them."""
        self._dropped: dict[int, MerchantCrew] = {}
        self._building = asyncio.Lock()

    @asynccontextmanager
    async def use(self, merchant_id: str) -> AsyncIterator[MerchantCrew]:
        """The merchant's crew, built (off the event loop) when not kept; use it inside.

        A crew dropped meanwhile keeps its memory open until every `use` of it has ended.
        """
        built = await self._get(merchant_id)
        key = id(built)
        self._users[key] = self._users.get(key, 0) + 1
        try:
            yield built
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                dropped = self._dropped.pop(key, None)
                if dropped is not None:
                    await self._close(dropped)

    def merchants(self) -> list[str]:
        """The merchants whose crews are built, least recently used first."""
        return list(self._crews)

    async def aclose(self) -> None:
        """Close every merchant's memory."""
        crews = [*self._crews.values(), *self._dropped.values()]
        self._crews, self._dropped = OrderedDict(), {}
        memories = {id(c.memory): c.memory for c in crews}
        memories.update({id(m): m for m in self._in_process.values()})
        self._in_process = {}
        for memory in memories.values():
            await memory.aclose()

    async def _get(self, merchant_id: str) -> MerchantCrew:
        found = self._crews.get(merchant_id)
        if found is not None:
            self._crews.move_to_end(merchant_id)
            return found
        async with self._building:
            found = self._crews.get(merchant_id)
            if found is None:
                found = await asyncio.to_thread(self._build, merchant_id)
                self._crews[merchant_id] = found
                await self._drop_beyond_limit()
        return found

    async def _drop_beyond_limit(self) -> None:
        while len(self._crews) > self.max_crews:
            merchant_id, dropped = self._crews.popitem(last=False)
            logger.info("crew of merchant %s dropped (least recently used)", merchant_id)
            if id(dropped) in self._users:
                self._dropped[id(dropped)] = dropped
            else:
                await self._close(dropped)

    async def _close(self, built: MerchantCrew) -> None:
        if built.memory is not self._in_process.get(built.merchant_id):
            await built.memory.aclose()

    def _memory(self, merchant_id: str) -> Memory:
        kept = self._in_process.get(merchant_id)
        if kept is not None:
            return kept
        memory = self.memory_for(merchant_id)
        if memory.url is None:
            self._in_process[merchant_id] = memory
        return memory

    def _build(self, merchant_id: str) -> MerchantCrew:
        check_merchant_id(merchant_id)
        memory = self._memory(merchant_id)
        adapters = self.adapters_for(merchant_id)
        crew = build_crew(
            model=self.model,
            checkpointer=memory.checkpointer,
            store=memory.store,
            adapters=adapters,
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
            adapters=adapters,
        )


def _in_memory(merchant_id: str) -> Memory:
    return connect("", merchant_id=merchant_id)


def _reference(merchant_id: str) -> Adapters:
    return Adapters.reference(merchant_id=merchant_id)


def _default_policy(merchant_id: str) -> Policy:
    return Policy()
