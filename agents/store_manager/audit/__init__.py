"""The listing audit: every rule of `LISTING_DEFECTS.md` over one listing, with draft fixes."""

from shopcrew.agents.store_manager.audit.findings import (
    DEFECT_CODES,
    DefectCode,
    DraftFix,
    Finding,
    Location,
    defect_codes,
)
from shopcrew.agents.store_manager.audit.rules import audit_listing, shorten_title

__all__ = [
    "DEFECT_CODES",
    "DefectCode",
    "DraftFix",
    "Finding",
    "Location",
    "audit_listing",
    "defect_codes",
    "shorten_title",
]
