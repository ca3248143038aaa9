"""The store files a server serves: found and loaded before it starts, watched by `/healthz`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from shopcrew.errors import StoreFileError
from shopcrew.tools.reference.store import TABLES, RetailStore

__all__ = ["check_store_dir", "stores_present"]


def _is_store(path: Path) -> bool:
    return all((path / f"{table}.json").is_file() for table in TABLES)


def check_store_dir(store_dir: str | os.PathLike[str]) -> list[Path]:
    """The stores under `--store-dir`, each loaded once so a broken one stops the server.

    `DIR` serves every merchant when it holds a store itself; `DIR/<merchant>/` serves that
    merchant. A server whose directory holds neither would answer every message with an error,
    so it is refused before it starts.

    Returns:
        The store directories found (DIR first when it is one).

    Raises:
        StoreFileError: No store in or under the directory, or a store that does not load.
    """
    root = Path(store_dir)
    found = [root] if _is_store(root) else []
    if root.is_dir():
        found += sorted(p for p in root.iterdir() if p.is_dir() and _is_store(p))
    if not found:
        wanted = ", ".join(f"{table}.json" for table in TABLES)
        raise StoreFileError(
            str(root),
            f"no store here: a store directory holds {wanted} (in DIR for every merchant, or in "
            "DIR/<merchant>/); leave out --store-dir to serve the bundled demo store",
        )
    for path in found:
        RetailStore.load(path)
    return found


def stores_present(store_dirs: Sequence[str | os.PathLike[str]]) -> bool:
    """Whether every store directory still holds its files (what `/healthz` checks)."""
    return all(_is_store(Path(path)) for path in store_dirs)
