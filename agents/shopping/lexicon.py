"""The shopping guide's language data: `lang/` (YAML shipped in the package), loaded once.

Nothing here knows a sentence: the files hold vocabulary (product names, option-value words,
cue phrases, interest words, reply templates) and this module turns them into frozen tables
that `mentions`, `reading` and `render` use.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from shopcrew.errors import ShoppingDataError

__all__ = [
    "Lang",
    "Lexicon",
    "ProductForm",
    "catalog_notes",
    "detect_lang",
    "interest_table",
    "lexicon",
]

logger = logging.getLogger(__name__)

Lang = Literal["en", "zh"]
"""The shopper's language."""


@dataclass(frozen=True, slots=True)
class ProductForm:
    """One way of naming a product type, with the options the name implies."""

    form: str
    product: str
    require: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class InterestTypes:
    """The product types that serve one interest, most central first."""

    types: tuple[str, ...]
    only: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Per type, the option values a variant must have to serve the interest."""


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything one language says about shopping wishes."""

    lang: Lang
    products: tuple[ProductForm, ...]
    values: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Option name (lower case) -> catalog value -> extra surface forms."""
    option_cues: Mapping[str, tuple[str, ...]]
    units: Mapping[str, tuple[str, ...]]
    """Canonical unit -> how it is written."""
    size_forms: tuple[str, ...]
    cues: Mapping[str, Any]
    """The cue lists of `cues.yaml`, by name."""
    interests: Mapping[str, tuple[str, ...]]
    """Interest -> words that state it."""
    templates: Mapping[str, Any]

    def cue(self, name: str) -> tuple[str, ...]:
        """A cue list of `cues.yaml` (empty when the file has none of that name)."""
        found = self.cues.get(name) or ()
        return tuple(str(entry) for entry in found)

    def template(self, name: str) -> str:
        """A reply template."""
        return str(self.templates[name])


def _read(path: str) -> Any:
    node = resources.files("shopcrew.agents.shopping").joinpath("lang", *path.split("/"))
    try:
        return yaml.safe_load(node.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ShoppingDataError(path, str(exc)) from exc


def _pairs(raw: Mapping[str, Any] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((str(k), tuple(str(v) for v in vs)) for k, vs in (raw or {}).items())


def _product_forms(raw: Mapping[str, Any], path: str) -> tuple[ProductForm, ...]:
    forms: list[ProductForm] = []
    for product, entries in raw.items():
        if not isinstance(entries, list):
            raise ShoppingDataError(path, f"{product!r} must list its names")
        for entry in entries:
            if isinstance(entry, Mapping):
                forms.append(
                    ProductForm(str(entry["form"]), str(product), _pairs(entry.get("require")))
                )
            else:
                forms.append(ProductForm(str(entry), str(product)))
    return tuple(forms)


def _string_lists(raw: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    return {str(k): tuple(str(v) for v in (vs or ())) for k, vs in (raw or {}).items()}


@cache
def lexicon(lang: Lang) -> Lexicon:
    """The language data of `lang`, loaded once.

    Raises:
        ShoppingDataError: A data file is missing or malformed.
    """
    values = _read(f"{lang}/values.yaml")
    raw_values = values.get("values") or {}
    return Lexicon(
        lang=lang,
        products=_product_forms(_read(f"{lang}/products.yaml"), f"{lang}/products.yaml"),
        values={str(o): _string_lists(vs) for o, vs in raw_values.items()},
        option_cues=_string_lists(values.get("option_cues")),
        units=_string_lists(values.get("units")),
        size_forms=tuple(str(f) for f in values.get("size_forms") or ()),
        cues=dict(_read(f"{lang}/cues.yaml")),
        interests=_string_lists(_read(f"{lang}/interests.yaml")),
        templates=dict(_read(f"{lang}/templates.yaml")),
    )


@cache
def interest_table() -> tuple[Mapping[str, InterestTypes], Mapping[str, Mapping[str, Any]]]:
    """Interest -> product types, and per recipient gender the variants a gift leaves out."""
    raw = _read("interests.yaml")
    table = {
        str(name): InterestTypes(
            types=tuple(str(t) for t in body["types"]),
            only={str(t): dict(_pairs(opts)) for t, opts in (body.get("only") or {}).items()},
        )
        for name, body in raw["interests"].items()
    }
    genders = {
        str(g): {str(t): dict(_pairs(opts)) for t, opts in (body or {}).items()}
        for g, body in (raw.get("gender_exclude") or {}).items()
    }
    return table, genders


@cache
def catalog_notes() -> Mapping[str, str]:
    """Options whose values are bare numbers, and the unit shoppers write with them."""
    raw = _read("catalog.yaml")
    return {str(k): str(v) for k, v in (raw.get("number_units") or {}).items()}


def detect_lang(text: str) -> Lang:
    """Chinese when the text has any CJK ideograph, else English."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
