"""Fixtures of the crew tests: a merchant store built from the reference db and dev files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shopcrew.tools.adapters import Adapters

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
LISTINGS = 6


@pytest.fixture
def store_dir(tmp_path: Path, tau_dir: Path) -> Path:
    """The τ-bench db plus six dev listings and one dev market's first three campaigns."""
    root = tmp_path / "store"
    shutil.copytree(tau_dir / "db", root)
    lines = (EVAL / "listings_dev.jsonl").read_text(encoding="utf-8").splitlines()[:LISTINGS]
    listings = [json.loads(line) for line in lines]
    for listing in listings:
        listing.pop("expect_defects", None)
    (root / "listings.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in listings), encoding="utf-8"
    )
    market = json.loads((EVAL / "markets_dev.jsonl").read_text(encoding="utf-8").splitlines()[0])
    campaigns = []
    for campaign, listing in zip(market["campaigns"][:3], listings, strict=False):
        campaign["daily_budget"] = market["current_allocation"][campaign["id"]]
        campaign["listing_id"] = listing["id"]
        campaigns.append(campaign)
    (root / "campaigns.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in campaigns), encoding="utf-8"
    )
    return root


@pytest.fixture
def adapters(store_dir: Path) -> Adapters:
    return Adapters.from_store_dir(store_dir)
