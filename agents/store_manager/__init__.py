"""The store manager: listing audits, complaint re-checks, and the fixes it proposes."""

from shopcrew.agents.store_manager.audit import (
    DEFECT_CODES,
    DefectCode,
    DraftFix,
    Finding,
    Location,
    audit_listing,
    shorten_title,
)
from shopcrew.agents.store_manager.manager import (
    ListingReport,
    PriceFix,
    audit_store,
    complaints_for,
    price_slip_fixes,
    propose_fixes,
)

__all__ = [
    # the audit of one listing
    "DEFECT_CODES",
    "DefectCode",
    "DraftFix",
    "Finding",
    "Location",
    "audit_listing",
    "shorten_title",
    # the store manager's work over the store
    "ListingReport",
    "PriceFix",
    "audit_store",
    "complaints_for",
    "price_slip_fixes",
    "propose_fixes",
]
