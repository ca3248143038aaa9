"""The catalog as the shopping guide searches it: variants in integer cents, values by key.

Built from any `CatalogAdapter` (the guide never reads store files itself). Prices are kept in
integer cents so that totals, budgets and optima are exact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shopcrew.agents.shopping.lexicon import catalog_notes, lexicon
from shopcrew.agents.shopping.text import form_key, normalise
from shopcrew.tools.protocols.retail import CatalogAdapter

__all__ = [
    "CatalogIndex",
    "ProductInfo",
    "VariantInfo",
    "cents",
    "dollars",
    "number_key",
    "unit_table",
]


def cents(amount: float | Decimal | str) -> int:
    """An amount in whole cents (half a cent rounds up)."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def dollars(amount_cents: int) -> float:
    """Cents back to a float amount with two decimals."""
    return float(Decimal(amount_cents) / 100)


@dataclass(frozen=True, slots=True)
class VariantInfo:
    """One purchasable variant."""

    item_id: str
    product: str
    options: Mapping[str, str]
    available: bool
    cents: int


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A product type: its variants and each option's values, in catalog order."""

    name: str
    product_id: str
    variants: tuple[VariantInfo, ...]
    options: Mapping[str, tuple[str, ...]]

    def option(self, name: str) -> str | None:
        """This product's spelling of an option name (case-insensitive), if it has it."""
        wanted = name.lower()
        return next((o for o in self.options if o.lower() == wanted), None)


def unit_table() -> dict[str, str]:
    """Every written unit (both languages, normalised) -> its canonical unit."""
    table: dict[str, str] = {}
    for lang in ("en", "zh"):
        for canonical, written in lexicon(lang).units.items():
            for form in written:
                table.setdefault(normalise(form).replace(" ", ""), canonical)
    return table


_NUMBER = r"\d+(?:\.\d+)?(?:\s*-\s*\d+(?:\.\d+)?)?"


def _unit_regex() -> re.Pattern[str]:
    units = sorted(unit_table(), key=len, reverse=True)
    alternatives = "|".join(re.escape(u) for u in units if u)
    return re.compile(rf"(?<![\d.])({_NUMBER})[\s\-]*({alternatives})(?![a-z])")


def _plain(number: str) -> str:
    value = Decimal(number)
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def number_key(number: str, unit: str) -> str:
    """The key of a number with a unit: '13-inch', '13 英寸' and '13in' all give '13in'."""
    parts = [p.strip() for p in number.split("-")]
    clean = "-".join(_plain(p) for p in parts if p)
    return f"{clean}{'' if unit == 'plain' else unit}"


class CatalogIndex:
    """The searchable catalog of one merchant."""

    def __init__(self, products: Sequence[ProductInfo]) -> None:
        self.products: dict[str, ProductInfo] = {p.name: p for p in products}
        self.memo: dict[str, object] = {}
        """What readers of this catalog compute once (the scanners of each language)."""
        self._by_id = {v.item_id: v for p in products for v in p.variants}
        self._units = unit_table()
        self._unit_regex = _unit_regex()
        self._notes = catalog_notes()
        self._keys = {
            (p.name, option.lower()): {self.value_key(option, v): v for v in values}
            for p in products
            for option, values in p.options.items()
        }

    @classmethod
    def from_adapter(cls, catalog: CatalogAdapter) -> CatalogIndex:
        """Read every product through the adapter."""
        infos = []
        for product in catalog.list_products():
            variants = tuple(
                VariantInfo(v.item_id, product.name, dict(v.options), v.available, cents(v.price))
                for v in product.variants.values()
            )
            options: dict[str, list[str]] = {}
            for variant in variants:
                for option, value in variant.options.items():
                    seen = options.setdefault(option, [])
                    if value not in seen:
                        seen.append(value)
            infos.append(
                ProductInfo(
                    product.name,
                    product.product_id,
                    variants,
                    {k: tuple(vs) for k, vs in options.items()},
                )
            )
        return cls(infos)

    def variant(self, item_id: str) -> VariantInfo | None:
        """A variant by item id."""
        return self._by_id.get(item_id)

    def value_key(self, option: str, value: str) -> str:
        """How a value is looked up: a number with its unit ('13in'), else its letters."""
        text = normalise(value)
        found = self._unit_regex.search(text)
        if found is not None:
            return number_key(found.group(1), self._units[found.group(2).replace(" ", "")])
        unit = self._notes.get(option.lower())
        if re.fullmatch(r"\d+(?:\.\d+)?", text) and unit is not None:
            return number_key(text, unit)
        return form_key(text)

    def resolve_value(self, product: str, option: str, value: str) -> str | None:
        """The catalog's spelling of a value of a product's option, if it has it."""
        table = self._keys.get((product, option.lower()), {})
        return table.get(self.value_key(option, value))

    def unit_tokens(self, text: str) -> list[tuple[int, int, str]]:
        """Numbers with units in a normalised text: (start, end, key)."""
        return [
            (m.start(), m.end(), number_key(m.group(1), self._units[m.group(2).replace(" ", "")]))
            for m in self._unit_regex.finditer(text)
        ]

    def keys_of(self, key: str) -> list[tuple[str, str, str]]:
        """Every (product, option, value) whose value has this key."""
        return [
            (product, self._option_name(product, option), value)
            for (product, option), table in self._keys.items()
            for k, value in table.items()
            if k == key
        ]

    def _option_name(self, product: str, lowered: str) -> str:
        return self.products[product].option(lowered) or lowered
