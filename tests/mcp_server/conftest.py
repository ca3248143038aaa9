"""Fixtures of the MCP server tests: a store with listings and campaigns, a strict policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.merchant_store import build_store_dir


@pytest.fixture
def store_dir(tmp_path: Path, tau_dir: Path) -> Path:
    """The τ-bench db plus four dev listings and three campaigns advertising them."""
    return build_store_dir(tmp_path / "store", tau_dir, listings=4)


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """Every budget move waits for a person: a budget review always asks for approval."""
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"budget_move_threshold": 0.0}))
    return path
