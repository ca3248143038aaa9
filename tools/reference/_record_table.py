"""An ordered, id-keyed table of pydantic records with atomic, idempotent, persisted writes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, JsonValue, ValidationError

from shopcrew.errors import StoreWriteError, ToolInputError, UnknownRecordError
from shopcrew.tools._jsonl import dotted, write_jsonl_atomic
from shopcrew.tools.idempotency.base import InMemoryIdempotencyStore, fingerprint

__all__ = ["RecordTable"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class RecordTable(Generic[M]):
    """Records of one kind, by id, in insertion order, for the JSON reference adapters.

    A write builds the changed record and the whole new table, writes the file (when the
    table has one) atomically, and only then swaps the table in memory: a write that fails
    anywhere (validation, a refused change, the disk) changes nothing. Writes with an
    idempotency key go through a private in-memory idempotency store, so the same key
    applies once and returns the first result.

    Args:
        records: The initial records.
        model: Their pydantic model (results are re-read through it).
        kind: What a record is, for messages (`"listing"`).
        merchant_id: The merchant the records belong to.
        path: The JSON Lines file to keep in step, or None for memory only.
        hint: How to find valid ids, appended to unknown-id errors.
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
    ) -> None:
        self._model, self._kind, self._merchant_id = model, kind, merchant_id
        self._path, self._hint = path, hint
        self._records: dict[str, M] = {}
        for record in records:
            record_id = str(getattr(record, "id"))  # noqa: B009 - every record has an id
            if record_id in self._records:
                raise ValueError(f"{kind} id {record_id!r} repeats")
            self._records[record_id] = record
        self._lock = threading.Lock()
        self._applied = InMemoryIdempotencyStore(merchant_id=merchant_id)

    def get(self, record_id: str) -> M:
        """The record with this id.

        Raises:
            UnknownRecordError: No such record.
        """
        try:
            return self._records[record_id]
        except KeyError:
            raise UnknownRecordError(
                self._kind, record_id, merchant_id=self._merchant_id, hint=self._hint
            ) from None

    def all(self) -> list[M]:
        """Every record, in insertion order."""
        return list(self._records.values())

    def write(
        self,
        record_id: str,
        *,
        operation: str,
        arguments: Mapping[str, JsonValue],
        change: Callable[[M], M],
        idempotency_key: str | None,
    ) -> M:
        """Replace a record by `change(record)`, atomically and at most once per key.

        Args:
            record_id: The record to change.
            operation: The operation's name, for idempotency fingerprints and logs.
            arguments: The request's arguments (with `record_id`, they make the fingerprint).
            change: Builds the new record; may raise `ToolInputError` or `ValidationError`.
            idempotency_key: Applies the write once per key, or None to always apply.

        Raises:
            UnknownRecordError: No such record.
            ToolInputError: `change` refused the request or built an invalid record.
            StoreWriteError: The file could not be written.
            IdempotencyConflictError: The key was used for another request.
        """

        def apply() -> str:
            with self._lock:
                updated = self._changed(record_id, change)
                table = {**self._records, record_id: updated}
                if self._path is not None:
                    try:
                        write_jsonl_atomic(self._path, table.values())
                    except OSError as exc:
                        raise StoreWriteError(str(self._path), str(exc)) from exc
                self._records = table
            logger.info("%s: %s %s", operation, self._kind, record_id)
            return updated.model_dump_json()

        if idempotency_key is None:
            return self._model.model_validate_json(apply())
        request = fingerprint(operation, {"id": record_id, **arguments})
        result = self._applied.run(idempotency_key, operation, request, apply)
        return self._model.model_validate_json(result)

    def _changed(self, record_id: str, change: Callable[[M], M]) -> M:
        current = self.get(record_id)
        try:
            updated = change(current)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ToolInputError(
                f"The change would make {self._kind} {record_id!r} invalid at "
                f"{dotted(first['loc'])}: {first['msg']}. Nothing was changed."
            ) from exc
        if str(getattr(updated, "id")) != record_id:  # noqa: B009 - every record has an id
            raise ToolInputError(f"A change cannot alter the id of {self._kind} {record_id!r}.")
        return updated
