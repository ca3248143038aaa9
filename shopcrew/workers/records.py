"""`SharedRecordTable`: listings and campaigns shared by a merchant's worker processes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue

from shopcrew.memory._redis import unavailable
from shopcrew.tools.idempotency.base import fingerprint
from shopcrew.tools.reference._record_table import RecordTable
from shopcrew.workers.ledger import Commit, EffectLedger

__all__ = ["SharedRecordTable"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class SharedRecordTable(RecordTable[M]):
    """A `RecordTable` whose changed records live in Redis, under the merchant's keys.

    The initial records (a store's `listings.jsonl`, `campaigns.jsonl`) are loaded into each
    process, read-only; every write is committed by the `EffectLedger` to the hash
    `StreamKeys.records(kind)` together with its idempotency record (see
    `shopcrew.workers.ledger`), and every read consults that hash first. So a listing fix or
    a budget change made by one worker is what every other worker of the merchant reads
    next, and a re-run of the event that made it finds it applied.

    The JSON adapters take it as their table: `JsonAdsAdapter.from_dir(root, persist=False,
    table=SharedRecordTable.over(ledger))`.

    Args:
        records: The initial records.
        model: Their pydantic model.
        kind: What a record is (`"listing"`, `"campaign"`): names its Redis hash.
        merchant_id: The merchant; the ledger's keys must be this merchant's.
        path: Must be None: the shared state is in Redis, the files stay as they are.
        hint: How to find valid ids, appended to unknown-id errors.
        ledger: Commits the writes and records their effects.
    """

    def __init__(
        self,
        records: Iterable[M],
        *,
        model: type[M],
        kind: str,
        merchant_id: str,
        path: Path | None = None,
        hint: str = "",
        ledger: EffectLedger,
    ) -> None:
        if path is not None:
            raise ValueError(
                f"a shared {kind} table keeps its changes in Redis, not in {str(path)!r}: "
                "load the adapter with persist=False"
            )
        if ledger.merchant_id != merchant_id:
            raise ValueError(
                f"the ledger is merchant {ledger.merchant_id!r}'s, the {kind}s {merchant_id!r}'s"
            )
        super().__init__(records, model=model, kind=kind, merchant_id=merchant_id, hint=hint)
        self._ledger = ledger
        self._hash = ledger.keys.records(kind)

    @classmethod
    def over(cls, ledger: EffectLedger) -> Callable[..., RecordTable[Any]]:
        """The table factory a JSON adapter takes (`table=`), bound to `ledger`."""
        return functools.partial(cls, ledger=ledger)

    def get(self, record_id: str) -> M:
        """The current record: the shared one when changed, else the file's.

        Raises:
            UnknownRecordError: No such record.
        """
        with unavailable(self._ledger.server):
            raw = self._ledger.client.hget(self._hash, record_id)
        if raw is not None:
            return self._model.model_validate_json(raw)
        return super().get(record_id)

    def all(self) -> list[M]:
        """Every record, in file order, with the shared ones."""
        with unavailable(self._ledger.server):
            changed: dict[Any, Any] = self._ledger.client.hgetall(self._hash)
        shared = {_text(k): v for k, v in changed.items()}
        return [
            self._model.model_validate_json(shared[record_id]) if record_id in shared else record
            for record_id, record in self._records.items()
        ]

    def write(
        self,
        record_id: str,
        *,
        operation: str,
        arguments: Mapping[str, JsonValue],
        change: Callable[[M], M],
        idempotency_key: str | None,
    ) -> M:
        """Replace a record by `change(record)` in one ledger commit, at most once per key.

        See `RecordTable.write`; the effect is keyed by the running event when a worker runs
        one (`EffectLedger.effect_key`).

        Raises:
            UnknownRecordError: No such record.
            ToolInputError: `change` refused the request or built an invalid record.
            IdempotencyConflictError: The key was used for another request.
            LeaseLostError: The worker's thread lease is gone; nothing was written.
        """
        version = self._ledger.keys.records_version(self._kind)

        def build() -> tuple[Commit, str]:
            text = self._changed(record_id, change).model_dump_json()
            target = f"{self._kind}:{record_id}"
            return Commit({self._hash: {record_id: text}}, [target], text), text

        def apply() -> str:
            text = self._ledger.apply(version, build)
            logger.info("%s: %s %s (shared)", operation, self._kind, record_id)
            return text

        if idempotency_key is None:
            return self._model.model_validate_json(apply())
        request = fingerprint(operation, {"id": record_id, **arguments})
        result = self._ledger.run(idempotency_key, operation, request, apply)
        return self._model.model_validate_json(result)


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
