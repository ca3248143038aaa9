"""Fixtures of the shopping guide's tests: the τ-bench catalog, read through the adapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopcrew.agents.shopping import CatalogIndex
from shopcrew.tools import Adapters


@pytest.fixture(scope="session")
def adapters(tau_dir: Path) -> Adapters:
    return Adapters.from_store_dir(tau_dir / "db")


@pytest.fixture(scope="session")
def catalog(adapters: Adapters) -> CatalogIndex:
    return CatalogIndex.from_adapter(adapters.catalog)
