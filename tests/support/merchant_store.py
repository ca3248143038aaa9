"""A merchant's store for crew tests: the τ-bench db, some dev listings and dev campaigns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in records), encoding="utf-8"
    )


def build_store_dir(root: Path, tau_dir: Path, *, listings: int) -> Path:
    """The τ-bench db plus the first `listings` dev listings and one dev market's first three
    campaigns, each advertising one of those listings."""
    shutil.copytree(tau_dir / "db", root)
    lines = (EVAL / "listings_dev.jsonl").read_text(encoding="utf-8").splitlines()[:listings]
    chosen = [json.loads(line) for line in lines]
    for listing in chosen:
        listing.pop("expect_defects", None)
    _write_jsonl(root / "listings.jsonl", chosen)
    market = json.loads((EVAL / "markets_dev.jsonl").read_text(encoding="utf-8").splitlines()[0])
    campaigns = []
    for campaign, listing in zip(market["campaigns"][:3], chosen, strict=False):
        campaign["daily_budget"] = market["current_allocation"][campaign["id"]]
        campaign["listing_id"] = listing["id"]
        campaigns.append(campaign)
    _write_jsonl(root / "campaigns.jsonl", campaigns)
    return root
