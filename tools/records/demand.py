"""The demand-planning domain model: a merchant's SKUs, regions, calendar and sales history.

These pydantic models follow `DEMAND_FORMAT.md` (one market per JSON line) and reject unknown
fields. The cost of one SKU × region cell (`CellCost`) is the format's too: the demand
planner plans on it and the grader scores with it, so it lives here, once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shopcrew.errors import DemandFileError, UnknownRecordError
from shopcrew.tools._jsonl import loads_unique

__all__ = [
    "CellCost",
    "DemandCalendar",
    "DemandMarket",
    "DemandRegion",
    "DemandSku",
    "Horizon",
    "LocalText",
    "PlatformEvent",
    "Promotion",
    "RateCard",
    "cell_cost",
    "iter_demand_markets",
    "iter_json_lines",
    "load_demand_markets",
    "parse_demand_market",
]

_RECORD = ConfigDict(extra="forbid", frozen=True)
_SHELF_LIFE_WRITE_OFF_DAYS = 90
"""A SKU that keeps at most this many days is written off when left over (the format's rule)."""


class LocalText(BaseModel):
    """A name in Chinese and English."""

    model_config = _RECORD

    zh: str
    en: str


class RateCard(BaseModel):
    """A per-unit delivery or transfer rate: base + per_kg × the SKU's weight."""

    model_config = _RECORD

    base: float = Field(ge=0, allow_inf_nan=False)
    per_kg: float = Field(ge=0, allow_inf_nan=False)

    def for_weight(self, weight_kg: float) -> float:
        """The rate of one unit weighing `weight_kg`."""
        return self.base + self.per_kg * weight_kg


class DemandRegion(BaseModel):
    """A sales region with its regional warehouse (none for the home region)."""

    model_config = _RECORD

    id: str = Field(min_length=1)
    zh: str
    en: str
    home: bool
    capacity: float = Field(ge=0, allow_inf_nan=False, description="Forward units it may hold.")
    local_cost: RateCard = Field(description="Delivery from a warehouse in the buyer's region.")
    cross_cost: RateCard = Field(description="Delivery from the central warehouse.")
    transfer_cost: RateCard = Field(description="Central warehouse to here in bulk, and back.")
    cross_lost_share: float = Field(
        ge=0, le=1, description="Share of centrally served demand lost to slow delivery."
    )


class DemandSku(BaseModel):
    """A product the merchant sells in every region."""

    model_config = _RECORD

    id: str = Field(min_length=1)
    zh: str
    en: str
    category: str = Field(min_length=1)
    unit_cost: float = Field(ge=0, allow_inf_nan=False)
    price: float = Field(ge=0, allow_inf_nan=False)
    holding_cost_per_day: float = Field(ge=0, allow_inf_nan=False)
    weight_kg: float = Field(ge=0, allow_inf_nan=False)
    shelf_life_days: int | None = Field(default=None, ge=0)
    festive_only: bool
    salvage_value: float = Field(ge=0, allow_inf_nan=False)
    history_start: dt.date

    @property
    def perishable(self) -> bool:
        """Keeps at most 90 days, so unsold forward stock is written off."""
        return (
            self.shelf_life_days is not None and self.shelf_life_days <= _SHELF_LIFE_WRITE_OFF_DAYS
        )

    @property
    def written_off_if_unsold(self) -> bool:
        """Written off when left over, as far as the market says (fads are not said)."""
        return self.festive_only or self.perishable


class Horizon(BaseModel):
    """The days to forecast and plan for."""

    model_config = _RECORD

    start: dt.date
    days: int = Field(ge=1)
    end: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> Horizon:
        if (self.end - self.start).days + 1 != self.days:
            raise ValueError("horizon end - start + 1 must equal days")
        return self


class PlatformEvent(BaseModel):
    """A platform shopping festival (双11, 618) in one year."""

    model_config = _RECORD

    name: str
    en: str
    start: dt.date
    end: dt.date
    peak: dt.date


class Promotion(BaseModel):
    """One of the merchant's own promotions, past or planned."""

    model_config = _RECORD

    id: str
    name: str
    skus: tuple[str, ...]
    start: dt.date
    end: dt.date
    discount: float = Field(ge=0, lt=1)


class DemandCalendar(BaseModel):
    """Chinese New Year dates, platform events and the merchant's promotions."""

    model_config = _RECORD

    cny: dict[str, dt.date] = Field(description="Year → date of 正月初一.")
    events: tuple[PlatformEvent, ...] = ()
    promotions: tuple[Promotion, ...] = ()

    def cny_dates(self) -> list[dt.date]:
        """Every New Year's day, in order."""
        return sorted(self.cny.values())


class DemandMarket(BaseModel):
    """One merchant's demand-planning instance (`DEMAND_FORMAT.md`)."""

    model_config = _RECORD

    id: str = Field(min_length=1)
    merchant: LocalText
    currency: Literal["CNY"]
    home_region: str
    cutoff: dt.date = Field(description="Last day of the history.")
    horizon: Horizon
    holding_days: int = Field(ge=0)
    budget: float = Field(ge=0, allow_inf_nan=False)
    regions: tuple[DemandRegion, ...] = Field(min_length=1)
    skus: tuple[DemandSku, ...] = Field(min_length=1)
    calendar: DemandCalendar
    history: dict[str, dict[str, list[int]]] = Field(
        description="SKU id → region id → daily unit sales from history_start to cutoff."
    )

    @model_validator(mode="after")
    def _consistent(self) -> DemandMarket:
        region_ids = [r.id for r in self.regions]
        sku_ids = [s.id for s in self.skus]
        if len(set(region_ids)) != len(region_ids) or len(set(sku_ids)) != len(sku_ids):
            raise ValueError("region and SKU ids must be unique")
        homes = [r.id for r in self.regions if r.home]
        if homes != [self.home_region]:
            raise ValueError(f"exactly the home region {self.home_region!r} must be home")
        if self.horizon.start <= self.cutoff:
            raise ValueError("the horizon must start after the cutoff")
        if set(self.history) != set(sku_ids):
            raise ValueError("history must name exactly the market's SKUs")
        for sku in self.skus:
            self._check_history(sku, region_ids)
        return self

    def _check_history(self, sku: DemandSku, region_ids: list[str]) -> None:
        series = self.history[sku.id]
        if set(series) != set(region_ids):
            raise ValueError(f"history of {sku.id!r} must name exactly the market's regions")
        days = (self.cutoff - sku.history_start).days + 1
        for region, sales in series.items():
            if len(sales) != days:
                raise ValueError(
                    f"history of {sku.id!r} in {region!r} has {len(sales)} days; "
                    f"{sku.history_start}..{self.cutoff} is {days}"
                )
            if any(units < 0 for units in sales):
                raise ValueError(f"history of {sku.id!r} in {region!r} has negative sales")

    @property
    def home(self) -> DemandRegion:
        """The home region (central warehouse)."""
        return next(r for r in self.regions if r.home)

    @property
    def forward_regions(self) -> tuple[DemandRegion, ...]:
        """The regions whose warehouses the plan fills."""
        return tuple(r for r in self.regions if not r.home)

    def sku(self, sku_id: str) -> DemandSku:
        """The SKU with this id.

        Raises:
            UnknownRecordError: no such SKU in the market.
        """
        for sku in self.skus:
            if sku.id == sku_id:
                return sku
        raise UnknownRecordError(
            "SKU",
            sku_id,
            merchant_id=self.id,
            hint=f"Its SKUs: {', '.join(s.id for s in self.skus)}.",
        )


@dataclass(frozen=True, slots=True)
class CellCost:
    """The per-unit costs of one SKU in one forward region (`DEMAND_FORMAT.md`, "The cost").

    cost(q, D) = placed·q + local·min(q, D) + short·(D − q)⁺ + over·(q − D)⁺
    """

    placed: float
    """a: transfer + holding for every placed unit, sold or not."""
    local: float
    """s_loc: delivery from the regional warehouse."""
    short: float
    """u: a unit of demand beyond the local stock (cross-region delivery or lost margin)."""
    over: float
    """o: a leftover unit (transfer back, or unit cost − salvage when written off)."""

    @property
    def critical_ratio(self) -> float:
        """The newsvendor quantile of the cell alone: (u − s − a) / (u − s + o)."""
        return (self.short - self.local - self.placed) / (self.short - self.local + self.over)


def cell_cost(
    market: DemandMarket, sku: DemandSku, region: DemandRegion, *, written_off: bool
) -> CellCost:
    """The cost rates of placing `sku` in `region`'s warehouse.

    Args:
        market: Gives the holding days.
        sku: The product.
        region: A forward region (the home region has no cell).
        written_off: Leftovers are written off (festive, perishable, or a fad).
    """
    transfer = region.transfer_cost.for_weight(sku.weight_kg)
    cross = region.cross_cost.for_weight(sku.weight_kg)
    beta = region.cross_lost_share
    over = sku.unit_cost - sku.salvage_value if written_off else transfer
    return CellCost(
        placed=transfer + sku.holding_cost_per_day * market.holding_days,
        local=region.local_cost.for_weight(sku.weight_kg),
        short=(1.0 - beta) * cross + beta * (sku.price - sku.unit_cost),
        over=over,
    )


def _field_of(error: ValidationError) -> str | None:
    first = error.errors()[0]
    return ".".join(str(part) for part in first["loc"]) or None


def parse_demand_market(raw: object, *, path: str = "<market>", line: int = 1) -> DemandMarket:
    """Validates one decoded JSON value as a market.

    Raises:
        DemandFileError: it is not a market; names the place, market id and field.
    """
    market_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        return DemandMarket.model_validate(raw)
    except ValidationError as exc:
        raise DemandFileError(
            path,
            line,
            exc.errors()[0]["msg"],
            market=market_id if isinstance(market_id, str) else None,
            field=_field_of(exc),
        ) from exc


def iter_json_lines(path: str | Path, *, need_id: bool = False) -> Iterator[tuple[int, Any]]:
    """Yields (line number, decoded value) of each non-blank line of a demand JSONL file.

    Args:
        path: A market, truth or answer file.
        need_id: Each line must be a JSON object with a string `id`.

    Raises:
        DemandFileError: the file cannot be read, or a line is not JSON (or has no `id`).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DemandFileError(str(path), 0, f"cannot read the file ({exc})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = loads_unique(line, refuse=partial(_repeated, path, number))
        except json.JSONDecodeError as exc:
            raise DemandFileError(str(path), number, f"not JSON ({exc.msg})") from exc
        if need_id and (not isinstance(raw, dict) or not isinstance(raw.get("id"), str)):
            raise DemandFileError(str(path), number, 'not a JSON object with an "id"')
        yield number, raw


def iter_demand_markets(path: str | Path) -> Iterator[DemandMarket]:
    """Yields the markets of a JSONL file, one per non-blank line.

    Raises:
        DemandFileError: the file cannot be read, or a line is not JSON or not a market.
    """
    for number, raw in iter_json_lines(path):
        yield parse_demand_market(raw, path=str(path), line=number)


def load_demand_markets(path: str | Path) -> list[DemandMarket]:
    """Reads every market of a JSONL file; see `iter_demand_markets`."""
    return list(iter_demand_markets(path))


def _repeated(path: str | Path, line: int, key: str) -> DemandFileError:
    return DemandFileError(
        str(path), line, f"the key {key!r} appears twice in one JSON object; keep one"
    )
