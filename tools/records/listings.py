"""Product listings (detail pages) of a merchant: the store manager's domain model."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shopcrew.tools._jsonl import load_jsonl

__all__ = [
    "AttributeValue",
    "Listing",
    "ListingCategory",
    "ListingLang",
    "ListingPatch",
    "ListingStatus",
    "ListingVariant",
    "load_listings",
]

ListingLang = Literal["zh", "en"]
"""`zh`: a Chinese marketplace page (Taobao, Tmall, JD); `en`: an English store."""

ListingCategory = Literal["apparel", "food", "cosmetics", "electronics", "home", "health"]
"""Product category; `health` holds registered medical devices and supplies."""

ListingStatus = Literal["active", "paused", "draft"]
"""Whether the page is live (`active`), taken down for now (`paused`) or not yet published."""

AttributeValue = str | int | float | list[str] | None
"""An attribute value: text in the listing's language, a number, a list of texts, or null."""


class ListingVariant(BaseModel):
    """One SKU of a listing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str = Field(description="Stock-keeping unit code, unique within the listing.")
    options: dict[str, str] = Field(description="Option name -> chosen value, e.g. {'size': 'M'}.")
    price: float = Field(description="Selling price in the store's currency.")
    list_price: float | None = Field(description="Crossed-out reference price, or null.")
    stock: int = Field(description="Units in stock; 0 or less means sold out.")


class Listing(BaseModel):
    """A product detail page, in the format of `LISTING_DEFECTS.md` ("Listing format").

    The model accepts defective listings (an empty title, a zero price, a variant whose
    options do not match): finding those is the audit's job, not the loader's. It refuses
    only what is not a listing at all: unknown fields, wrong types, repeated SKUs.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Listing id.")
    lang: ListingLang = Field(description="Marketplace language: 'zh' or 'en'.")
    category: ListingCategory
    title: str = Field(description="Product title.")
    description: str | None = Field(description="Plain-text product description, or null.")
    images: list[str] = Field(description="Image URLs, main image first.")
    attributes: dict[str, AttributeValue] = Field(
        description="Attribute key (English snake_case) -> value in the listing's language."
    )
    options: dict[str, list[str]] = Field(
        description="Option name -> allowed values; {} for a single-SKU product."
    )
    variants: list[ListingVariant]
    status: ListingStatus
    expect_defects: list[str] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Ground-truth defect codes of evaluation files only; an audit ignores it.",
    )

    @model_validator(mode="after")
    def _skus_are_unique(self) -> Listing:
        skus = [variant.sku for variant in self.variants]
        if len(set(skus)) != len(skus):
            repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
            raise ValueError(f"variant SKUs repeat: {', '.join(repeated)}")
        return self


class ListingPatch(BaseModel):
    """Fields to change on a listing; fields left out stay as they are.

    `id`, `lang` and `category` cannot be changed: a different product is a new listing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = Field(default=None, description="New title.")
    description: str | None = Field(default=None, description="New description.")
    images: list[str] | None = Field(default=None, description="New image URLs, main first.")
    attributes: dict[str, AttributeValue] | None = Field(
        default=None,
        description="Attributes to set (merged into the existing ones); a null value sets null.",
    )
    options: dict[str, list[str]] | None = Field(default=None, description="New options.")
    variants: list[ListingVariant] | None = Field(default=None, description="New variants.")
    status: ListingStatus | None = Field(default=None, description="New status.")

    def apply(self, listing: Listing) -> Listing:
        """Return `listing` with this patch applied, validated as a whole.

        Raises:
            pydantic.ValidationError: The patched listing is not a valid listing.
        """
        # A null field means "unchanged"; nulls inside a value (a variant's price) are data.
        changes = {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}
        if self.attributes is not None:
            changes["attributes"] = {**listing.attributes, **self.attributes}
        data = listing.model_dump()
        data.update(changes)
        return Listing.model_validate(data)


def load_listings(path: Path) -> list[Listing]:
    """Load a listings JSON Lines file (`listings.jsonl`, `listings_dev.jsonl`).

    Raises:
        StoreFileError: The file is missing or malformed; it names the record and field.
    """
    return load_jsonl(path, Listing)
