"""The shape the reference adapters of one JSON Lines file share: construction and loading."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar, Generic, Self

from pydantic import BaseModel

from shopcrew.tools.reference._record_table import M, RecordTable

__all__ = ["JsonRecordAdapter"]


class JsonRecordAdapter(Generic[M]):
    """Records of one kind, in memory and (when `path` is set) in a JSON Lines file.

    A subclass names its records (`model`, `kind`, `file_name`, `hint`) and loads its file
    (`_load`); its methods read and write through `self._table`.

    Args:
        records: The initial records.
        merchant_id: The merchant they belong to.
        path: The file that every write rewrites atomically, or None for memory only.
        table: Makes the table that holds them (called with `RecordTable`'s arguments):
            `RecordTable`, this process's memory, or a shared one such as
            `shopcrew.workers.SharedRecordTable.over(ledger)` (the merchant's workers
            then read and change the same records).
    """

    model: ClassVar[type[BaseModel]]
    """The records' model."""
    kind: ClassVar[str]
    """What a record is called in errors ("listing", "campaign")."""
    file_name: ClassVar[str]
    """The records' file in a store directory."""
    hint: ClassVar[str]
    """How to find a record's id, added to an unknown id's error."""

    def __init__(
        self,
        records: Iterable[M] = (),
        /,
        *,
        merchant_id: str = "default",
        path: Path | None = None,
        table: Callable[..., RecordTable[M]] = RecordTable,
    ) -> None:
        self.merchant_id = merchant_id
        self._table = table(
            records,
            model=self.model,
            kind=self.kind,
            merchant_id=merchant_id,
            path=path,
            hint=self.hint,
        )

    @classmethod
    def from_dir(
        cls,
        store_dir: Path,
        *,
        merchant_id: str = "default",
        persist: bool = True,
        table: Callable[..., RecordTable[M]] = RecordTable,
    ) -> Self:
        """Load the records' file of a store directory (no file: no records).

        Args:
            store_dir: The store directory.
            merchant_id: The merchant the records belong to.
            persist: Write changes back to the file (created on the first write).
            table: Makes the table that holds them (see the class).

        Raises:
            StoreFileError: The file is malformed; nothing was loaded.
        """
        path = Path(store_dir) / cls.file_name
        records = cls._load(path) if path.exists() else []
        return cls(records, merchant_id=merchant_id, path=path if persist else None, table=table)

    @classmethod
    def _load(cls, path: Path) -> list[M]:
        """The records of the file (it exists)."""
        raise NotImplementedError
