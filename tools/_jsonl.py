"""Loading and atomically writing the JSON Lines files of a merchant's store."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shopcrew.errors import DuplicateKeyError, StoreFileError

__all__ = ["dotted", "load_jsonl", "loads_unique", "validate_record", "write_jsonl_atomic"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


def dotted(loc: Sequence[int | str]) -> str:
    """Turn a pydantic error location such as `("variants", 0, "price")` into `variants.0.price`."""
    return ".".join(str(part) for part in loc) or "(record)"


def loads_unique(text: str | bytes, *, refuse: Callable[[str], Exception]) -> Any:
    """`json.loads`, refusing an object that repeats a key (`json` keeps the last silently).

    Args:
        text: The JSON text.
        refuse: Makes the error to raise from the repeated key.

    Raises:
        json.JSONDecodeError: Not JSON.
    """

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise refuse(key)
            found[key] = value
        return found

    return json.loads(text, object_pairs_hook=unique)


def _repeated(path: Path, line: int, key: str) -> DuplicateKeyError:
    return DuplicateKeyError(str(path), key, record=f"line {line}")


def validate_record(path: Path, raw: object, model: type[M], *, line: int) -> M:
    """Validate one decoded record, naming the file, the record and the field on failure.

    Args:
        path: The file the record comes from (for the message).
        raw: The decoded JSON value.
        model: The pydantic model of one record.
        line: The 1-based line number, used when the record has no string id.

    Raises:
        StoreFileError: The record does not fit `model`.
    """
    record = f"line {line}"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        record = f"{raw['id']} (line {line})"
    if not isinstance(raw, dict):
        raise StoreFileError(
            str(path), f"expected a JSON object, got {type(raw).__name__}", record=record
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = exc.error_count() - 1
        problem = f"{first['msg']} (got {first.get('input')!r:.80})"
        if more:
            problem += f"; and {more} more problem(s) in this record"
        raise StoreFileError(str(path), problem, record=record, field=dotted(first["loc"])) from exc


def load_jsonl(path: Path, model: type[M], *, id_field: str | None = "id") -> list[M]:
    """Load a JSON Lines file whole, or nothing: the first bad line raises.

    Blank lines are skipped. When `id_field` is given, ids must be unique.

    Args:
        path: The file.
        model: The pydantic model of one line.
        id_field: The attribute holding each record's unique id, or None to skip the check.

    Returns:
        The records, in file order.

    Raises:
        StoreFileError: The file cannot be read, a line is not JSON, does not fit `model`, or
            repeats an id.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreFileError(str(path), f"cannot be read ({exc})") from exc
    records: list[M] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = loads_unique(line, refuse=partial(_repeated, path, number))
        except json.JSONDecodeError as exc:
            raise StoreFileError(
                str(path),
                f"not valid JSON ({exc.msg} at column {exc.colno})",
                record=f"line {number}",
            ) from exc
        item = validate_record(path, raw, model, line=number)
        if id_field is not None:
            key = str(getattr(item, id_field))
            if key in seen:
                raise StoreFileError(
                    str(path),
                    f"id repeats the record of line {seen[key]}",
                    record=f"{key} (line {number})",
                    field=id_field,
                )
            seen[key] = number
        records.append(item)
    logger.debug("loaded %d records from %s", len(records), path)
    return records


def write_jsonl_atomic(path: Path, records: Iterable[BaseModel]) -> None:
    """Write records as JSON Lines so that the file is either wholly old or wholly new.

    The lines go to a temporary file in the same directory, which is flushed, synced and
    renamed over `path` (`os.replace` is atomic on POSIX and Windows). If anything fails, the
    temporary file is removed and `path` is untouched.

    Raises:
        OSError: The file could not be written; `path` is unchanged.
    """
    lines = [
        record.model_dump_json(exclude_unset=False, exclude_none=False) + "\n" for record in records
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
