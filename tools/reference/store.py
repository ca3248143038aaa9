"""The reference store backend: τ-bench retail JSON files held in memory.

The state of record is the raw, insertion-ordered dicts parsed from `orders.json`,
`products.json` and `users.json`, so that every record prints and hashes byte for byte as
τ-bench's own store does (integer gift card balances stay integers, keys tools add go last).
Every record is validated against `shopcrew.tools.records.retail` at load time.

Records are copy-on-write: a loaded snapshot is shared, read-only, by every `fork()` of a
store, and a write replaces whole records in the fork's own overlay. So a fresh copy per task
costs nothing, a committed record is never mutated again (readers never see half a write),
and the canonical hash re-serialises only the records that changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, Self, TypeVar

from pydantic import BaseModel, ValidationError

from shopcrew.errors import DuplicateKeyError, StoreFileError
from shopcrew.tools._jsonl import loads_unique
from shopcrew.tools.records.retail import Customer, Order, Product

__all__ = ["TABLES", "Change", "Record", "RetailStore", "TableName", "copy_record"]

logger = logging.getLogger(__name__)

Record = dict[str, Any]
"""One raw JSON record (an order, product or user) in file key order."""

TableName = Literal["orders", "products", "users"]
TABLES: Final[tuple[TableName, ...]] = ("orders", "products", "users")
"""The three maps of a retail store, in the (sorted) order the canonical hash writes them."""

_MODELS: Final[dict[TableName, type[BaseModel]]] = {
    "orders": Order,
    "products": Product,
    "users": Customer,
}
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Change:
    """Whole new records that one write puts in place of the current ones."""

    orders: dict[str, Record] = field(default_factory=dict)
    users: dict[str, Record] = field(default_factory=dict)


class _Snapshot:
    """Loaded, validated tables shared read-only by every fork of a store."""

    def __init__(self, tables: dict[TableName, dict[str, Record]], source: str) -> None:
        self.tables = tables
        self.source = source
        self._fragments: dict[TableName, dict[str, bytes]] | None = None
        self._lock = threading.Lock()

    def fragments(self) -> dict[TableName, dict[str, bytes]]:
        """Canonical `"key":record` bytes per record, built once on first use."""
        with self._lock:
            if self._fragments is None:
                self._fragments = {
                    name: {key: _fragment(key, rec) for key, rec in table.items()}
                    for name, table in self.tables.items()
                }
            return self._fragments


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _fragment(key: str, record: Record) -> bytes:
    return f"{_canonical(key)}:{_canonical(record)}".encode()


def copy_record(record: Record) -> Record:
    """Return a deep copy of a JSON record (dicts, lists, scalars), keeping key order."""
    return {k: _copy_value(v) for k, v in record.items()}


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_value(v) for v in value]
    return value


class RetailStore:
    """One merchant's retail store (orders, products, users) in τ-bench's JSON format.

    Build one with `RetailStore.load(directory)`; take an independent copy with `fork()`.
    Reads return the current raw records, which callers must treat as read-only. Writes go
    through `write()`, which runs a change function under the store's lock and commits the
    records it returns all at once, or nothing if it raises.
    """

    def __init__(self, snapshot: _Snapshot, *, merchant_id: str) -> None:
        self.merchant_id = merchant_id
        """The merchant this store belongs to."""
        self._snapshot = snapshot
        self._changed: dict[TableName, dict[str, Record]] = {name: {} for name in TABLES}
        self._lock = threading.RLock()

    @classmethod
    def load(cls, directory: str | os.PathLike[str], *, merchant_id: str = "default") -> Self:
        """Load and validate `orders.json`, `products.json` and `users.json` of a directory.

        Raises:
            StoreFileError: a file is missing, is not JSON, or holds a record that does not
                match the retail model; it names the file, the record and the field.
        """
        root = Path(directory)
        tables = {name: _read_table(root / f"{name}.json", name) for name in TABLES}
        _check_references(root, tables)
        logger.debug("loaded retail store from %s", root)
        return cls(_Snapshot(tables, str(root)), merchant_id=merchant_id)

    def fork(self) -> RetailStore:
        """Return an independent copy of the current state; cheap (copy-on-write)."""
        with self._lock:
            twin = RetailStore(self._snapshot, merchant_id=self.merchant_id)
            for name in TABLES:
                twin._changed[name] = dict(self._changed[name])
            return twin

    # -- reads -----------------------------------------------------------------

    def get(self, table: TableName, key: str) -> Record | None:
        """Return the current record of `table` under `key`, or None."""
        changed = self._changed[table].get(key)
        if changed is not None:
            return changed
        return self._snapshot.tables[table].get(key)

    def items(self, table: TableName) -> Iterator[tuple[str, Record]]:
        """Yield `(key, record)` of a table in file order, with current records."""
        changed = self._changed[table]
        for key, record in self._snapshot.tables[table].items():
            yield key, changed.get(key, record)

    def table(self, table: TableName) -> dict[str, Record]:
        """Return a table as a new dict in file order (the records themselves are shared)."""
        return dict(self.items(table))

    # -- writes ----------------------------------------------------------------

    def write(self, change: Callable[[RetailStore], tuple[Change, _T]]) -> _T:
        """Run `change` under the lock and commit the records it returns, atomically.

        `change` reads this store, runs every check, and returns new record objects (never
        mutated copies of shared ones, see `copy_record`) with a result for the caller. If it
        raises, nothing is committed.
        """
        with self._lock:
            result_change, result = change(self)
            for key in result_change.orders:
                self._require(key, "orders")
            for key in result_change.users:
                self._require(key, "users")
            self._changed["orders"].update(result_change.orders)
            self._changed["users"].update(result_change.users)
            return result

    def _require(self, key: str, table: TableName) -> None:
        if key not in self._snapshot.tables[table]:
            raise KeyError(f"a change may only replace existing {table}; {key!r} is new")

    # -- hashing and dumping ---------------------------------------------------

    def store_sha256(self) -> str:
        """Return the canonical hash of the whole store (README of `tau-retail`).

        SHA-256 of `{"orders": ..., "products": ..., "users": ...}` serialised with sorted
        keys, compact separators and unescaped non-ASCII, as 64 lowercase hex digits.
        """
        fragments = self._snapshot.fragments()
        digest = hashlib.sha256(b"{")
        with self._lock:
            changed = {name: dict(self._changed[name]) for name in TABLES}
        for index, name in enumerate(TABLES):
            digest.update(b"," if index else b"")
            digest.update(f'"{name}":{{'.encode())
            for position, key in enumerate(sorted(fragments[name])):
                if position:
                    digest.update(b",")
                record = changed[name].get(key)
                digest.update(fragments[name][key] if record is None else _fragment(key, record))
            digest.update(b"}")
        digest.update(b"}")
        return digest.hexdigest()

    def dump(self, directory: str | os.PathLike[str]) -> None:
        """Write the current state as `orders.json`, `products.json`, `users.json`.

        Each file is replaced atomically (written beside it, then renamed). Reloading the
        directory gives a store with the same `store_sha256()`.
        """
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            text = json.dumps(self.table(name), indent=4) + "\n"
            handle, temp = tempfile.mkstemp(dir=root, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(text)
                os.replace(temp, root / f"{name}.json")
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise


def _read_table(path: Path, name: TableName) -> dict[str, Record]:
    try:
        data = loads_unique(path.read_bytes(), refuse=lambda k: DuplicateKeyError(str(path), k))
    except FileNotFoundError:
        raise StoreFileError(str(path), "the file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreFileError(str(path), f"cannot read the file ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise StoreFileError(str(path), f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise StoreFileError(str(path), f"expected a JSON object, found {type(data).__name__}")
    model = _MODELS[name]
    for key, record in data.items():
        try:
            model.model_validate(record)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or None
            raise StoreFileError(str(path), first["msg"], record=key, field=where) from exc
        _check_keys(path, name, key, record)
    return data


def _check_keys(path: Path, name: TableName, key: str, record: Record) -> None:
    """Check that a record's key agrees with the ids inside it."""

    def agree(inner: Mapping[str, Any], id_field: str, where: str) -> None:
        for sub_key, sub in inner.items():
            if sub[id_field] != sub_key:
                raise StoreFileError(
                    str(path),
                    f"key {sub_key!r} differs from the {id_field} {sub[id_field]!r} it holds",
                    record=key,
                    field=f"{where}.{sub_key}.{id_field}" if where else id_field,
                )

    if name in ("orders", "products"):
        id_field = "order_id" if name == "orders" else "product_id"
        agree({key: record}, id_field, "")
        if name == "products":
            agree(record["variants"], "item_id", "variants")
    else:
        agree(record["payment_methods"], "id", "payment_methods")


def _check_references(root: Path, tables: dict[TableName, dict[str, Record]]) -> None:
    """Check that every order names a known user and products, which the tools rely on."""
    path = str(root / "orders.json")
    for key, order in tables["orders"].items():
        if order["user_id"] not in tables["users"]:
            raise StoreFileError(
                path, f"unknown user {order['user_id']!r}", record=key, field="user_id"
            )
        for index, item in enumerate(order["items"]):
            if item["product_id"] not in tables["products"]:
                raise StoreFileError(
                    path,
                    f"unknown product {item['product_id']!r}",
                    record=key,
                    field=f"items.{index}.product_id",
                )
