"""Where each kind of long-term record lives in a merchant's store, in one place.

Agents write their reports and notes under these namespaces and other agents, the digest, the
scenario runner and the service read them back; LangGraph's `BaseStore` takes them as tuples.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from langgraph.store.base import BaseStore

__all__ = ["audits_namespace", "customer_namespace", "reviews_namespace", "values_in"]

_PAGE = 100


def values_in(store: BaseStore, namespace: tuple[str, ...]) -> list[Any]:
    """Every value stored directly under `namespace` (not below it), page by page."""
    found: list[Any] = []
    while True:
        page = store.search(namespace, limit=_PAGE, offset=len(found))
        found += page
        if len(page) < _PAGE:
            break
    return [item.value for item in found if item.namespace == namespace]


def customer_namespace(merchant_id: str, customer_id: str) -> tuple[str, ...]:
    """A customer's long-term notes (changes made, escalations), shown in later conversations.

    A namespace label may hold no "." and may not be empty, and a platform's customer ids can
    hold anything, so the id is %-encoded.
    """
    label = quote(customer_id, safe="").replace(".", "%2E") or "%00"
    return ("customers", merchant_id, label)


def audits_namespace(merchant_id: str) -> tuple[str, ...]:
    """The store manager's audit reports, one item per audit run."""
    return ("crew", merchant_id, "audits")


def reviews_namespace(merchant_id: str) -> tuple[str, ...]:
    """The marketing planner's budget reviews, one item per review."""
    return ("crew", merchant_id, "budget_reviews")
