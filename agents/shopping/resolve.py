"""From the `recommend` tool's arguments to the groups the chooser fills.

Product names and option values are matched to the catalog's spelling (an LLM may write 'Black'
or '黑色'); a gift's interest adds the product types that serve it, minus what the recipient
has; the interest's and the recipient's refinements (camera backpacks, women's perfume) become
exclusions on those types. Each group keeps the stages of its filtering, so an infeasible wish
can say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shopcrew.agents.shopping.catalog import CatalogIndex, VariantInfo
from shopcrew.agents.shopping.lexicon import interest_table, lexicon
from shopcrew.agents.shopping.text import form_key, phrases
from shopcrew.agents.shopping.wish import RecommendArgs, WishGroup

__all__ = ["Resolved", "resolve_group", "resolve_interest", "resolve_type"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """One group, matched to the catalog, with the variants left after each filter."""

    wish: WishGroup
    """The group in the catalog's spelling."""
    types: tuple[str, ...]
    unknown: tuple[str, ...]
    """Product names that match nothing in the catalog."""
    matching: tuple[VariantInfo, ...]
    """Variants with the required options, available or not."""
    available: tuple[VariantInfo, ...]
    candidates: tuple[VariantInfo, ...]
    """Available, required options, no refused value: what the chooser may pick."""
    ranks: Mapping[str, int]


def resolve_type(name: str, catalog: CatalogIndex) -> str | None:
    """The catalog product a name means: 'Hiking Boots', 'hiking boots', '登山鞋'."""
    if name in catalog.products:
        return name
    key = form_key(name)
    for product in catalog.products:
        if form_key(product) == key:
            return product
    for lang in ("en", "zh"):
        for form in lexicon(lang).products:
            if form.product in catalog.products and key in {
                form_key(form.form),
                form_key(form.form) + "s",
            }:
                return form.product
    return None


def resolve_interest(name: str) -> str | None:
    """The interest a name means: 'hiking', 'Hiking', '徒步', 'smart home'."""
    table, _ = interest_table()
    key = form_key(name).replace("_", "")
    for interest in table:
        if form_key(interest).replace("_", "") == key:
            return interest
    for lang in ("en", "zh"):
        for interest, words in lexicon(lang).interests.items():
            if phrases(tuple(words), lang).search(name.lower()):
                return interest
    return None


def _values(
    product: str, table: Mapping[str, Sequence[str]], catalog: CatalogIndex
) -> dict[str, set[str]]:
    """A product's spelling of each named option and its values (unknown values kept)."""
    info = catalog.products[product]
    out: dict[str, set[str]] = {}
    for option, values in table.items():
        name = info.option(option) or _option_by_value(info.options, values, catalog, product)
        if name is None:
            out[f"\x00{option}"] = set()  # an option the product lacks: nothing can match
            continue
        for value in values:
            spelled = catalog.resolve_value(product, name, value) or _translated(name, value)
            out.setdefault(name, set()).add(spelled)
    return out


def _option_by_value(
    options: Mapping[str, Sequence[str]], values: Sequence[str], catalog: CatalogIndex, product: str
) -> str | None:
    for name in options:
        if any(catalog.resolve_value(product, name, v) for v in values):
            return name
    return None


def _translated(option: str, value: str) -> str:
    """A value written in Chinese (黑色) in the catalog's spelling (black), if the data knows it."""
    key = form_key(value)
    for written_value, forms in lexicon("zh").values.get(option.lower(), {}).items():
        if any(form_key(form) == key for form in forms):
            return written_value
    return value


def _refinements(
    args: RecommendArgs, group: WishGroup, types: Sequence[str], catalog: CatalogIndex
) -> dict[str, dict[str, set[str]]]:
    """Per type, extra refused values: the interest's `only` and the recipient's gender."""
    table, genders = interest_table()
    extra: dict[str, dict[str, set[str]]] = {}
    interest = table.get(group.interest or "")
    for product in types:
        info = catalog.products[product]
        if interest is not None and product in interest.only:
            for option, keep in interest.only[product].items():
                name = info.option(option)
                if name is not None:
                    refused = set(info.options[name]) - set(keep)
                    extra.setdefault(product, {}).setdefault(name, set()).update(refused)
        if args.recipient is not None and group.interest is not None:
            for option, refused_values in genders.get(args.recipient, {}).get(product, {}).items():
                name = info.option(option)
                if name is not None:
                    extra.setdefault(product, {}).setdefault(name, set()).update(refused_values)
    return extra


def _passes(variant: VariantInfo, require: Mapping[str, set[str]]) -> bool:
    return all(variant.options.get(option) in values for option, values in require.items())


def _refused(variant: VariantInfo, exclude: Mapping[str, set[str]]) -> bool:
    return any(variant.options.get(option) in values for option, values in exclude.items())


def resolve_group(args: RecommendArgs, group: WishGroup, catalog: CatalogIndex) -> Resolved:
    """Match one group to the catalog and filter its variants."""
    named = [(n, resolve_type(n, catalog)) for n in group.product_types]
    types = [t for _, t in named if t is not None]
    interest = resolve_interest(group.interest) if group.interest else None
    table, _ = interest_table()
    ranks: dict[str, int] = {}
    if interest is not None:
        for rank, product in enumerate(table[interest].types):
            if product in catalog.products and product not in types:
                types.append(product)
                ranks[product] = rank
    owned = {resolve_type(n, catalog) for n in group.exclude_types}
    types = [t for t in dict.fromkeys(types) if t not in owned]
    wish = group.model_copy(update={"interest": interest, "product_types": types})
    extra = _refinements(args, wish, types, catalog)
    matching, available, candidates = [], [], []
    for product in types:
        require = _values(product, group.require, catalog)
        exclude = _values(product, group.exclude, catalog)
        for option, values in extra.get(product, {}).items():
            exclude.setdefault(option, set()).update(values)
        for variant in catalog.products[product].variants:
            if not _passes(variant, require):
                continue
            matching.append(variant)
            if variant.available:
                available.append(variant)
                if not _refused(variant, exclude):
                    candidates.append(variant)
    unknown = tuple(n for n, t in named if t is None)
    return Resolved(
        wish, tuple(types), unknown, tuple(matching), tuple(available), tuple(candidates), ranks
    )
