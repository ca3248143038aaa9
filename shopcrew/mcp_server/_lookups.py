"""What the MCP tools read without running an agent: customers, the catalog, the last audit.

Pure functions over a merchant's adapters and store; their results are pydantic models, so the
MCP server publishes their JSON schema as each tool's output schema.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, ConfigDict, Field

from shopcrew.memory.namespaces import audits_namespace, values_in
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.records.retail import Customer, Order, Product

__all__ = [
    "AuditFindings",
    "CatalogHit",
    "CatalogResults",
    "CustomerOut",
    "ListingFindings",
    "find_customer",
    "latest_audit",
    "search_catalog",
]

_WORD = re.compile(r"[\w'-]+")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CustomerOut(_Out):
    """A customer's profile and their orders, newest last."""

    customer_id: str = Field(description="The customer's id, e.g. 'ann_lee_1234'.")
    profile: Customer
    orders: list[Order] = Field(description="Every order of the customer.")


class CatalogHit(_Out):
    """A product whose name or options match the query, with the variants that match."""

    product_id: str
    name: str
    variants: list[dict[str, Any]] = Field(
        description="Matching variants: item_id, options, available, price."
    )


class CatalogResults(_Out):
    """Catalog search results, best first."""

    query: str
    products: list[CatalogHit]


class ListingFindings(_Out):
    """One listing's defects in an audit, and how to fix each."""

    listing_id: str
    title: str
    status: str
    codes: list[str] = Field(description="Defect codes; empty when the listing is clean.")
    messages: list[str] = Field(description="What is wrong and how to fix it, per finding.")
    complaints: list[str] = Field(description="Customer complaints about one of its SKUs.")


class AuditFindings(_Out):
    """The latest listing audit of the merchant (none yet: `at` is null)."""

    run_id: str | None
    at: str | None = Field(description="When the audit ran (ISO 8601).")
    listings: list[ListingFindings]


async def find_customer(
    adapters: Adapters,
    *,
    customer_id: str | None,
    email: str | None,
    first_name: str | None,
    last_name: str | None,
    zip_code: str | None,
) -> CustomerOut:
    """The customer named by id, email, or name and zip code (tried in that order).

    Raises:
        ValueError: None of the three ways was given in full.
        UnknownCustomerError: No such customer.
    """
    if customer_id is None and email:
        customer_id = await adapters.customers.afind_customer_id_by_email(email)
    if customer_id is None and first_name and last_name and zip_code:
        customer_id = await adapters.customers.afind_customer_id_by_name_zip(
            first_name, last_name, zip_code
        )
    if customer_id is None:
        raise ValueError(
            "Name the customer by customer_id, by email, or by first_name, last_name and zip_code."
        )
    profile = await adapters.customers.aget_customer(customer_id)
    orders = [await adapters.orders.aget_order(order_id) for order_id in profile.orders]
    return CustomerOut(customer_id=customer_id, profile=profile, orders=orders)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _hit(product: Product, words: set[str], available_only: bool) -> tuple[int, CatalogHit]:
    name_words = _words(product.name)
    variants: list[tuple[int, dict[str, Any]]] = []
    for variant in product.variants.values():
        if available_only and not variant.available:
            continue
        option_words = _words(" ".join(variant.options.values()))
        score = 2 * len(words & name_words) + len(words & option_words)
        variants.append((score, variant.model_dump()))
    best = max((score for score, _ in variants), default=0)
    chosen = [v for score, v in variants if score == best]
    return best, CatalogHit(product_id=product.product_id, name=product.name, variants=chosen)


async def search_catalog(
    adapters: Adapters, query: str, *, available_only: bool = False, limit: int = 5
) -> CatalogResults:
    """Products whose name or variant options share words with `query`, best first.

    A product name counts twice an option value; of each product only its best-matching
    variants are listed.
    """
    words = _words(query)
    scored = [
        _hit(product, words, available_only) for product in await adapters.catalog.alist_products()
    ]
    found = sorted(
        ((score, hit) for score, hit in scored if score and hit.variants),
        key=lambda pair: (-pair[0], pair[1].name),
    )
    return CatalogResults(query=query, products=[hit for _, hit in found[:limit]])


def latest_audit(store: BaseStore, merchant_id: str) -> AuditFindings:
    """The merchant's latest listing audit, as the store manager kept it."""
    audits = values_in(store, audits_namespace(merchant_id))
    if not audits:
        return AuditFindings(run_id=None, at=None, listings=[])
    last = max(audits, key=lambda audit: str(audit["at"]))
    return AuditFindings(
        run_id=last["run_id"],
        at=last["at"],
        listings=[ListingFindings.model_validate(x) for x in last["listings"]],
    )
