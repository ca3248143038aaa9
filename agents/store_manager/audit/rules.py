"""The store manager's listing audit: every rule of `LISTING_DEFECTS.md` over one listing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from shopcrew.agents.store_manager.audit.findings import DraftFix, Finding, Location
from shopcrew.agents.store_manager.audit.normalize import width
from shopcrew.agents.store_manager.audit.text import audit_text
from shopcrew.agents.store_manager.audit.vocab import (
    REQUIRED_ATTRIBUTES,
    REQUIRED_ATTRIBUTES_EN,
    REQUIRED_ATTRIBUTES_ZH,
    TITLE_WIDTH_LIMITS,
)
from shopcrew.tools.records.listings import AttributeValue, Listing

__all__ = [
    "MIN_DESCRIPTION_CHARS",
    "audit_listing",
    "shorten_title",
    "title_limit",
    "usable_images",
]

MIN_DESCRIPTION_CHARS: Final = 30
"""A description shorter than this (after `str.strip()`) is DESCRIPTION_TOO_SHORT."""

_PRODUCTION_LICENSE: Final = re.compile(r"SC[0-9]{14}")
_PROMO_BRACKETS: Final = re.compile(r"【[^】]*】")
_WORD_CHAR: Final = re.compile(r"[A-Za-z0-9]")
_WORD_TAIL: Final = re.compile(r"[A-Za-z0-9]+\Z")
_TRAILING_SEPARATORS: Final = " ,，、|/-–—·+&(（【[:："
_LOW, _HIGH = Decimal("0.3"), Decimal(3)


def audit_listing(listing: Listing) -> list[Finding]:
    """Audit one listing against the twelve defect codes of `LISTING_DEFECTS.md`.

    Args:
        listing: The listing; its `expect_defects` is ignored.

    Returns:
        The findings, grouped by rule; `defect_codes(findings)` gives the set of codes.
    """
    return [
        *_title_too_long(listing),
        *audit_text(listing.title, listing.description, health=listing.category == "health"),
        *_images(listing),
        *_required_attributes(listing),
        *_prices(listing),
        *_variant_options(listing),
        *_stock(listing),
        *_description(listing),
    ]


def title_limit(listing: Listing) -> int:
    """The title width limit of the listing's marketplace."""
    limit: int = TITLE_WIDTH_LIMITS[listing.lang]
    return limit


def shorten_title(title: str, limit: int) -> str:
    """A draft title of width at most `limit`: promotional 【...】 tags dropped, then cut.

    The cut falls between words where it can and drops trailing separators.
    """
    if width(title) <= limit:
        return title
    untagged = " ".join(_PROMO_BRACKETS.sub(" ", title).split())
    if untagged and width(untagged) <= limit:
        return untagged
    source = untagged or title
    cut, used = 0, 0
    for char in source:
        used += 1 if ord(char) <= 0x7F else 2
        if used > limit:
            break
        cut += 1
    head = source[:cut]
    if cut < len(source) and _WORD_CHAR.match(source[cut]) and _WORD_CHAR.match(head[-1:]):
        head = _WORD_TAIL.sub("", head)
    head = head.rstrip(_TRAILING_SEPARATORS)
    return head or source[:cut]


def _title_too_long(listing: Listing) -> list[Finding]:
    limit = title_limit(listing)
    used = width(listing.title)
    if used <= limit:
        return []
    return [
        Finding(
            "TITLE_TOO_LONG",
            Location("title", start=0, end=len(listing.title), text=listing.title),
            f"the title is {used} wide, over the {limit} of a {listing.lang} marketplace "
            "(non-ASCII characters count 2); cut filler words and promotional tags.",
            DraftFix("title", shorten_title(listing.title, limit)),
        )
    ]


def usable_images(images: list[str]) -> list[str]:
    """The distinct usable image URLs (http or https, with something after the scheme)."""
    usable: dict[str, None] = {}
    for image in images:
        url = image.strip()
        for scheme in ("http://", "https://"):
            if url.startswith(scheme) and len(url) > len(scheme):
                usable[url] = None
    return list(usable)


def _images(listing: Listing) -> list[Finding]:
    count = len(usable_images(listing.images))
    if count == 0:
        message = "the listing has no usable image; upload a main image (an http(s) URL)."
        return [Finding("MISSING_MAIN_IMAGE", Location("images"), message)]
    if count <= 2:
        message = (
            f"the listing has only {count} distinct usable image(s); add detail and "
            "in-use shots to reach at least three."
        )
        return [Finding("TOO_FEW_IMAGES", Location("images"), message)]
    return []


def _is_missing(value: AttributeValue) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    return False


def _required_attributes(listing: Listing) -> list[Finding]:
    required = REQUIRED_ATTRIBUTES.get(listing.category, ())
    extra = REQUIRED_ATTRIBUTES_ZH if listing.lang == "zh" else REQUIRED_ATTRIBUTES_EN
    findings = []
    for key in (*required, *extra.get(listing.category, ())):
        value = listing.attributes.get(key)
        if key == "size" and listing.options.get("size"):
            continue
        if key == "production_license":
            valid = isinstance(value, str) and _PRODUCTION_LICENSE.fullmatch(value.strip())
            if valid:
                continue
            message = (
                "the food production licence must be 'SC' followed by 14 digits "
                f"(e.g. SC11337028200015); got {value!r}."
            )
        elif _is_missing(value):
            message = f"the required attribute {key!r} of a {listing.category} listing is empty."
        else:
            continue
        findings.append(
            Finding(
                "MISSING_REQUIRED_ATTRIBUTE",
                Location("attributes", key=key, text=None if value is None else str(value)),
                message,
            )
        )
    return findings


def _decimal(value: float) -> Decimal:
    # repr() is the shortest decimal that reads back as the same float: the price as written.
    return Decimal(repr(value))


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _prices(listing: Listing) -> list[Finding]:
    prices = [_decimal(variant.price) for variant in listing.variants]
    findings = []
    for index, variant in enumerate(listing.variants):
        price = prices[index]
        problem = None
        if price <= 0:
            problem = "the price is zero or negative"
        elif variant.list_price is not None and price > _decimal(variant.list_price):
            problem = f"the price is above the list price {variant.list_price}"
        elif len(prices) >= 2:
            median = _median(prices[:index] + prices[index + 1 :])
            if price < _LOW * median or price > _HIGH * median:
                problem = f"the price is outside 30%-300% of the other variants' median {median}"
        if problem is not None:
            findings.append(
                Finding(
                    "PRICE_ANOMALY",
                    Location("variants", sku=variant.sku, text=str(variant.price)),
                    f"{problem}; check the variant's price for a typo.",
                )
            )
    return findings


def _variant_options(listing: Listing) -> list[Finding]:
    findings = []
    for variant in listing.variants:
        problems = [
            f"option {name!r} is not declared"
            for name in variant.options
            if name not in listing.options
        ]
        problems += [
            f"{value!r} is not an allowed {name!r}"
            for name, value in variant.options.items()
            if name in listing.options and value not in listing.options[name]
        ]
        problems += [
            f"no value for option {name!r}"
            for name in listing.options
            if name not in variant.options
        ]
        if problems:
            findings.append(
                Finding(
                    "VARIANT_OPTION_MISMATCH",
                    Location("variants", sku=variant.sku),
                    "; ".join(problems)
                    + "; make the variant use exactly the declared options and values.",
                )
            )
    return findings


def _stock(listing: Listing) -> list[Finding]:
    if listing.status != "active" or not listing.variants:
        return []
    if any(variant.stock > 0 for variant in listing.variants):
        return []
    return [
        Finding(
            "STOCK_ZERO_ACTIVE",
            Location("status", text=listing.status),
            "the listing is active but every variant is sold out; restock or pause it.",
            DraftFix("status", "paused"),
        )
    ]


def _description(listing: Listing) -> list[Finding]:
    length = len((listing.description or "").strip())
    if length >= MIN_DESCRIPTION_CHARS:
        return []
    return [
        Finding(
            "DESCRIPTION_TOO_SHORT",
            Location("description", text=listing.description),
            f"the description has {length} characters, fewer than {MIN_DESCRIPTION_CHARS}; "
            "describe material, size, use and care.",
        )
    ]
