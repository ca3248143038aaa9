"""The truth of a demand market (`demand_*_truth.jsonl`) and the answers the grader reads.

Both follow `DEMAND_FORMAT.md`. The truth is the grader's: the planner never sees it. An
answer is read leniently (a bad count is a violation, not an error); only a line that is not
a JSON object with an `id` stops the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.errors import DemandFileError
from shopcrew.tools.records.demand import DemandMarket, iter_json_lines

__all__ = [
    "DemandTruth",
    "OraclePlan",
    "ParsedAnswer",
    "check_truth_fits",
    "load_answers",
    "load_truths",
    "parse_answer",
]

_RECORD = ConfigDict(extra="forbid", frozen=True)


class OraclePlan(BaseModel):
    """The exact optimum with the true distributions, as the data set states it."""

    model_config = _RECORD

    expected_cost: float = Field(ge=0)
    budget_price: float = 0.0
    gap: float = 0.0
    plan: dict[str, dict[str, float]]


class DemandTruth(BaseModel):
    """What generated one market's horizon (for graders and tests only)."""

    model_config = _RECORD

    mu: dict[str, dict[str, list[float]]] = Field(description="SKU → region → daily true mean.")
    phi: dict[str, dict[str, float]] = Field(description="SKU → region → dispersion φ.")
    demand: dict[str, dict[str, list[int]]] = Field(description="The realised daily demand.")
    write_off: tuple[str, ...] = ()
    fad: tuple[str, ...] = ()
    hit: tuple[str, ...] = ()
    sku_tags: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    tags: tuple[str, ...] = ()
    params: dict[str, Any] = Field(default_factory=dict)
    oracle: OraclePlan


def load_truths(path: str | Path) -> dict[str, DemandTruth]:
    """Reads a truth file: market id → truth.

    Raises:
        DemandFileError: unreadable, or a line is not `{"id", "truth"}` with a valid truth.
    """
    truths: dict[str, DemandTruth] = {}
    for number, raw in iter_json_lines(path, need_id=True):
        try:
            truths[raw["id"]] = DemandTruth.model_validate(raw.get("truth"))
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0]["loc"]) or None
            raise DemandFileError(
                str(path), number, exc.errors()[0]["msg"], market=raw["id"], field=where
            ) from exc
    return truths


def check_truth_fits(market: DemandMarket, truth: DemandTruth, *, path: str) -> None:
    """Checks the truth names the market's SKUs and regions over the horizon's days.

    Raises:
        DemandFileError: it does not fit.
    """
    regions = {r.id for r in market.regions}
    for name, table in (("mu", truth.mu), ("phi", truth.phi), ("demand", truth.demand)):
        if set(table) != {s.id for s in market.skus}:
            raise DemandFileError(path, 0, f"truth.{name} must name the SKUs", market=market.id)
        for sku_id, by_region in table.items():
            if set(by_region) != regions:
                raise DemandFileError(
                    path, 0, f"truth.{name}[{sku_id}] must name the regions", market=market.id
                )
            if name != "phi" and any(
                len(days) != market.horizon.days  # type: ignore[arg-type]
                for days in by_region.values()
            ):
                raise DemandFileError(
                    path, 0, f"truth.{name}[{sku_id}] must have horizon days", market=market.id
                )


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """One answer line, read leniently; what is unusable is listed as a problem."""

    market_id: str
    plan: dict[tuple[str, str], float]
    """(SKU, region) → units; bad counts are left out (and listed in `problems`)."""
    forecast: dict[tuple[str, str], tuple[list[float], list[float], list[float]]]
    """(SKU, region) → (point, lo, hi); bad or missing series are left out."""
    approvals: tuple[str, ...]
    """SKU ids sent for approval."""
    raw: Mapping[str, Any]


def _number_list(value: object, days: int) -> list[float] | None:
    if not isinstance(value, list) or len(value) != days:
        return None
    out: list[float] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float):
            return None
        if not math.isfinite(item) or item < 0:
            return None
        out.append(float(item))
    return out


def _read_series(value: object, days: int) -> tuple[list[float], list[float], list[float]] | None:
    if not isinstance(value, dict):
        return None
    point = _number_list(value.get("point"), days)
    if point is None:
        return None
    if "lo" not in value and "hi" not in value:
        return point, list(point), list(point)
    lo, hi = _number_list(value.get("lo"), days), _number_list(value.get("hi"), days)
    if lo is None or hi is None or any(a > b for a, b in zip(lo, hi, strict=True)):
        return None
    return point, lo, hi


def _read_plan(value: object) -> dict[tuple[str, str], object]:
    cells: dict[tuple[str, str], object] = {}
    if not isinstance(value, dict):
        return cells
    for sku_id, by_region in value.items():
        if not isinstance(by_region, dict):
            cells[(str(sku_id), "?")] = by_region
            continue
        for region_id, units in by_region.items():
            cells[(str(sku_id), str(region_id))] = units
    return cells


def parse_answer(raw: Mapping[str, Any], market: DemandMarket) -> tuple[ParsedAnswer, list[str]]:
    """Reads one answer against its market; returns it and the broken constraints (1, 2, 5)."""
    problems: list[str] = []
    skus, regions = {s.id for s in market.skus}, {r.id for r in market.regions}
    plan: dict[tuple[str, str], float] = {}
    bad_counts: list[str] = []
    home_used = False
    for (sku_id, region_id), units in _read_plan(raw.get("plan")).items():
        if (
            sku_id not in skus
            or region_id not in regions
            or isinstance(units, bool)
            or not isinstance(units, int | float)
            or not math.isfinite(units)
            or units < 0
        ):
            bad_counts.append(f"{sku_id}/{region_id}")
            continue
        if region_id == market.home_region:
            home_used = home_used or units > 1e-6
            continue
        plan[(sku_id, region_id)] = float(units)
    if bad_counts:
        problems.append(f"bad unit counts ({', '.join(sorted(bad_counts)[:5])})")
    if home_used:
        problems.append(f"units in the home region {market.home_region}")
    forecast: dict[tuple[str, str], tuple[list[float], list[float], list[float]]] = {}
    given = raw.get("forecast") if isinstance(raw.get("forecast"), dict) else {}
    missing: list[str] = []
    for sku_id in sorted(skus):
        by_region = given.get(sku_id) if isinstance(given, dict) else None
        for region_id in sorted(regions):
            value = by_region.get(region_id) if isinstance(by_region, dict) else None
            series = _read_series(value, market.horizon.days)
            if series is None:
                missing.append(f"{sku_id}/{region_id}")
            else:
                forecast[(sku_id, region_id)] = series
    if missing:
        problems.append(f"missing or malformed forecasts ({len(missing)}: {missing[0]}...)")
    flagged = raw.get("approvals")
    approvals = tuple(
        str(item["sku"])
        for item in (flagged if isinstance(flagged, list) else [])
        if isinstance(item, dict) and "sku" in item
    )
    answer = ParsedAnswer(market.id, plan, forecast, approvals, raw)
    return answer, problems


def load_answers(path: str | Path) -> dict[str, dict[str, Any]]:
    """Reads an answer file: market id → the raw answer object (the last line wins).

    Raises:
        DemandFileError: unreadable, or a line is not a JSON object with an `id`.
    """
    answers: dict[str, dict[str, Any]] = {}
    for _, raw in iter_json_lines(path, need_id=True):
        answers[raw["id"]] = raw
    return answers
