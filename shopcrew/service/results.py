"""`FirstResults`: the first result of each request id, so a resend to any server gets it back."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import TypeVar

from pydantic import BaseModel

from shopcrew.errors import IdempotencyConflictError
from shopcrew.memory._redis import AsyncClient, describe_client, unavailable
from shopcrew.workers import StreamKeys

__all__ = ["DEFAULT_RESULT_TTL_S", "FirstResults", "fingerprint"]

DEFAULT_RESULT_TTL_S = 7 * 24 * 3600
"""How long a first result is kept in Redis: far longer than any client retries."""

_MAX_IN_PROCESS = 10_000
"""First results kept in process without Redis (the oldest are forgotten first)."""

_M = TypeVar("_M", bound=BaseModel)


def fingerprint(request: BaseModel, *, exclude: set[str] | None = None) -> str:
    """A digest of what a request asks for, to tell a resend from another request."""
    data = request.model_dump(mode="json", exclude=exclude)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class FirstResults:
    """The first result of each request id of a merchant (an event id, a decision id).

    With Redis, results are kept under the merchant's hash tag for `ttl_s` and every server
    sees them; without, in process. A result is stored with the fingerprint of the request
    that made it: the same id sent with another request is a conflict, not a resend.

    Args:
        client: The asyncio Redis client (the caller keeps it); None keeps results in process.
        namespace: Key prefix of the deployment.
        ttl_s: How long a result is kept in Redis.
    """

    def __init__(
        self,
        client: AsyncClient | None,
        *,
        namespace: str,
        ttl_s: int = DEFAULT_RESULT_TTL_S,
    ) -> None:
        self.client, self.namespace, self.ttl_s = client, namespace, ttl_s
        self._server = describe_client(client)
        self._local: OrderedDict[str, str] = OrderedDict()

    async def aget(
        self, merchant_id: str, key: str, model: type[_M], *, request_fingerprint: str
    ) -> _M | None:
        """The first result under `key`, if a request with that id has finished.

        Raises:
            IdempotencyConflictError: The id was used for another request (409).
        """
        name = StreamKeys(self.namespace, merchant_id).first_result(key)
        if self.client is None:
            raw: str | bytes | None = self._local.get(name)
        else:
            with unavailable(self._server):
                raw = await self.client.get(name)
        if raw is None:
            return None
        record = json.loads(raw)
        if record["fp"] != request_fingerprint:
            raise IdempotencyConflictError(key, operation=key.split(":", 1)[0])
        return model.model_validate(record["result"])

    async def aput(
        self, merchant_id: str, key: str, result: BaseModel, *, request_fingerprint: str
    ) -> None:
        """Keep the first result under `key`."""
        name = StreamKeys(self.namespace, merchant_id).first_result(key)
        record = {"fp": request_fingerprint, "result": result.model_dump(mode="json")}
        raw = json.dumps(record, ensure_ascii=False)
        if self.client is None:
            self._local[name] = raw
            while len(self._local) > _MAX_IN_PROCESS:
                self._local.popitem(last=False)
            return
        with unavailable(self._server):
            await self.client.set(name, raw, ex=self.ttl_s)
