"""Fixtures of the crew tests: a merchant store built from the reference db and dev files."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.merchant_store import build_store_dir

from shopcrew.tools.adapters import Adapters

LISTINGS = 6


@pytest.fixture
def store_dir(tmp_path: Path, tau_dir: Path) -> Path:
    """The τ-bench db plus six dev listings and one dev market's first three campaigns."""
    return build_store_dir(tmp_path / "store", tau_dir, listings=LISTINGS)


@pytest.fixture
def adapters(store_dir: Path) -> Adapters:
    return Adapters.from_store_dir(store_dir)
