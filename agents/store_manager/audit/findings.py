"""What a listing audit reports: the defect codes, where a defect is, and a draft fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "DEFECT_CODES",
    "DefectCode",
    "DraftFix",
    "Finding",
    "FixableField",
    "ListingField",
    "Location",
    "defect_codes",
]

DefectCode = Literal[
    "TITLE_TOO_LONG",
    "TITLE_KEYWORD_STUFFING",
    "ABSOLUTE_CLAIM",
    "MEDICAL_CLAIM",
    "MISSING_MAIN_IMAGE",
    "TOO_FEW_IMAGES",
    "MISSING_REQUIRED_ATTRIBUTE",
    "PRICE_ANOMALY",
    "VARIANT_OPTION_MISMATCH",
    "STOCK_ZERO_ACTIVE",
    "DESCRIPTION_TOO_SHORT",
    "CONTACT_INFO_IN_TEXT",
]
"""The twelve defect codes of `LISTING_DEFECTS.md`."""

DEFECT_CODES: tuple[DefectCode, ...] = get_args(DefectCode)
"""Every defect code, in the order of `LISTING_DEFECTS.md`."""

ListingField = Literal[
    "title", "description", "images", "attributes", "options", "variants", "status"
]
"""The listing field a finding points at."""

FixableField = Literal["title", "description", "status"]
"""The fields a draft fix may rewrite."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a listing a defect was found."""

    field: ListingField
    """The listing field."""
    sku: str | None = None
    """The variant's SKU, for a defect of one variant."""
    key: str | None = None
    """The attribute or option name, for a defect of one attribute or option."""
    start: int | None = None
    """Start offset of the matched span in the raw field text (title or description)."""
    end: int | None = None
    """End offset (exclusive) of the matched span in the raw field text."""
    text: str | None = None
    """The matched text, `raw[start:end]`, or the offending value."""


@dataclass(frozen=True, slots=True)
class DraftFix:
    """A mechanical fix a person can approve: the field's proposed new value."""

    field: FixableField
    """The field to rewrite."""
    value: str
    """The proposed new value of the whole field."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One defect found in a listing."""

    code: DefectCode
    """The defect code."""
    where: Location
    """Where the defect is."""
    message: str
    """What is wrong and how to fix it, for the merchant."""
    fix: DraftFix | None = None
    """A draft fix, when the fix is mechanical."""


def defect_codes(findings: list[Finding]) -> list[DefectCode]:
    """The distinct codes of `findings`, in the order of `DEFECT_CODES`."""
    found = {finding.code for finding in findings}
    return [code for code in DEFECT_CODES if code in found]
