"""Fixtures for the retail tools: the reference store, a fresh fork per test, search helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.tools import TauRetailTools


@pytest.fixture(scope="session")
def base_store(tau_dir: Path) -> RetailStore:
    return RetailStore.load(tau_dir / "db")


@pytest.fixture
def store(base_store: RetailStore) -> RetailStore:
    return base_store.fork()


@pytest.fixture
def tools(store: RetailStore) -> TauRetailTools:
    return TauRetailTools(store)
