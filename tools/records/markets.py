"""The ad market domain model: a merchant's campaigns and the daily budget to split.

These pydantic models follow `MARKET_FORMAT.md` (one market per JSON line) and reject
unknown fields; each campaign is a `shopcrew.tools.records.Campaign`. `truth` is the
grader's: planners must not read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shopcrew.errors import MarketFileError
from shopcrew.tools._jsonl import loads_unique
from shopcrew.tools.records.campaigns import Campaign

__all__ = [
    "Market",
    "MarketTruth",
    "OracleAllocation",
    "ResponseCurve",
    "iter_markets",
    "load_markets",
]

_RECORD = ConfigDict(extra="forbid", frozen=True)


class ResponseCurve(BaseModel):
    """A campaign's true curve GMV(b) = a·(1 − exp(−b/k))."""

    model_config = _RECORD

    a: float = Field(gt=0, allow_inf_nan=False, description="Saturation GMV.")
    k: float = Field(gt=0, allow_inf_nan=False, description="Budget scale of the curvature.")


class OracleAllocation(BaseModel):
    """The exact optimum under the market's constraints, as the data set states it."""

    model_config = _RECORD

    allocation: dict[str, float]
    gmv: float
    marginal_roas: float


class MarketTruth(BaseModel):
    """What generated the market; for graders and tests only."""

    model_config = _RECORD

    noise_sigma: float = Field(ge=0)
    curves: dict[str, ResponseCurve]
    oracle: OracleAllocation
    tags: tuple[str, ...] = ()


class Market(BaseModel):
    """One merchant's campaigns and tomorrow's budget to split among them."""

    model_config = _RECORD

    id: str = Field(min_length=1)
    currency: Literal["CNY", "USD"]
    total_budget: float = Field(ge=0, allow_inf_nan=False)
    min_roas: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Portfolio ROAS floor, if any."
    )
    history_days: int = Field(ge=1)
    current_allocation: dict[str, float]
    campaigns: tuple[Campaign, ...] = Field(min_length=1)
    truth: MarketTruth | None = Field(default=None, description="Grader only; never plan on it.")

    @model_validator(mode="after")
    def _campaigns_consistent(self) -> Market:
        ids = [c.id for c in self.campaigns]
        if len(set(ids)) != len(ids):
            raise ValueError("campaign ids are not unique")
        if set(self.current_allocation) != set(ids):
            raise ValueError("current_allocation must name exactly the market's campaigns")
        if self.truth is not None and set(self.truth.curves) != set(ids):
            raise ValueError("truth.curves must name exactly the market's campaigns")
        return self


def _field_of(error: ValidationError) -> str | None:
    first = error.errors()[0]
    return ".".join(str(part) for part in first["loc"]) or None


def iter_markets(path: str | Path) -> Iterator[Market]:
    """Yields the markets of a JSONL file, one per non-blank line.

    Raises:
        MarketFileError: a line is not JSON or not a market; names the file, line, market
            id (when readable) and field.
    """
    text = Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = loads_unique(line, refuse=partial(_repeated, path, number))
        except json.JSONDecodeError as exc:
            raise MarketFileError(str(path), number, f"not JSON ({exc.msg})") from exc
        market_id = raw.get("id") if isinstance(raw, dict) else None
        market_id = market_id if isinstance(market_id, str) else None
        try:
            yield Market.model_validate(raw)
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
            raise MarketFileError(
                str(path), number, problem, market=market_id, field=_field_of(exc)
            ) from exc


def load_markets(path: str | Path) -> list[Market]:
    """Reads every market of a JSONL file; see `iter_markets`."""
    return list(iter_markets(path))


def _repeated(path: str | Path, line: int, key: str) -> MarketFileError:
    return MarketFileError(
        str(path), line, f"the key {key!r} appears twice in one JSON object; keep one"
    )
