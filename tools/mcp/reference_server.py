"""A commerce platform's MCP server over the reference store, for tests and benchmarks.

It serves the JSON reference store (τ-bench's retail store) the way a platform publishes its
commerce tools over MCP: platform names (`order_get`, `catalog_search`, `return_create`...),
platform argument names (`id`, `line_item_ids`, `payment_instrument_id`), records wrapped in
an envelope with a few fields renamed, errors as a JSON object with a code, and writes that
honour an `idempotency_key`. The bundled table `platforms/reference.yaml` maps it onto our
adapter Protocols, so a test of `shopcrew.tools.mcp` against it exercises the whole mapping.

Writes are appended to a journal (one JSON line each, flushed and fsynced before the answer)
when one is given: a restarted server replays it, so it keeps what it wrote and the keys it
honoured. A line is the unit of a write: a server killed before the line is complete wrote
nothing. Two test-only tools, `reference_reset` and `reference_store_sha256`, start the
store afresh and hash it (τ-bench's canonical hash).

Run it with `python -m shopcrew.tools.mcp.reference_server [--port 0] [--journal FILE]`; it
prints `ready <url>` once it listens.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field

from shopcrew.errors import RetailRuleError, ShopcrewError, UnknownRecordError
from shopcrew.tools.mcp._reference_tools import add_ads_tools, add_test_tools
from shopcrew.tools.records.campaigns import Campaign
from shopcrew.tools.reference import _rules as rules
from shopcrew.tools.reference.ads import JsonAdsAdapter
from shopcrew.tools.reference.store import Record, RetailStore

__all__ = ["AddressIn", "Faults", "IdempotencyKey", "ReferencePlatform", "build_reference_server"]

logger = logging.getLogger(__name__)

_KINDS: Final = {"payment method": "payment_instrument"}
"""Our record kinds the platform names otherwise."""

Args = Mapping[str, Any]
IdempotencyKey = Annotated[
    str | None, Field(description="A key per request: a repeat returns the first result.")
]
_Change = Callable[[RetailStore], rules.Result]


class AddressIn(BaseModel):
    """A postal address, as the platform takes it."""

    model_config = ConfigDict(extra="forbid")

    address1: str
    address2: str
    city: str
    country: str
    state: str
    zip: str


def _address(a: Args) -> Record:
    return rules.new_address(
        a["address1"], a["address2"], a["city"], a["state"], a["country"], a["zip"]
    )


_CHANGES: Final[dict[str, Callable[[Args], _Change]]] = {
    "order_cancel": lambda a: lambda s: rules.cancel_order(s, a["id"], a["reason"]),
    "order_update_shipping_address": lambda a: (
        lambda s: rules.modify_order_address(s, a["id"], _address(a["address"]))
    ),
    "order_update_payment": lambda a: (
        lambda s: rules.modify_order_payment(s, a["id"], a["payment_instrument_id"])
    ),
    "order_update_line_items": lambda a: (
        lambda s: rules.modify_order_items(
            s, a["id"], a["line_item_ids"], a["replacement_item_ids"], a["payment_instrument_id"]
        )
    ),
    "return_create": lambda a: (
        lambda s: rules.return_order_items(
            s, a["order_id"], a["line_item_ids"], a["refund_instrument_id"]
        )
    ),
    "exchange_create": lambda a: (
        lambda s: rules.exchange_order_items(
            s,
            a["order_id"],
            a["line_item_ids"],
            a["replacement_item_ids"],
            a["payment_instrument_id"],
        )
    ),
    "customer_update_address": lambda a: (
        lambda s: rules.modify_user_address(s, a["id"], _address(a["address"]))
    ),
}
"""Each write tool's change, from its arguments: the tools and the journal replay use it."""

_ADS_CHANGES: Final[dict[str, Callable[[JsonAdsAdapter, Args], Campaign]]] = {
    "marketing_budget_update": lambda ads, a: ads.set_campaign_budget(a["id"], a["amount"]),
    "marketing_campaign_pause": lambda ads, a: ads.pause_campaign(a["id"]),
    "marketing_campaign_resume": lambda ads, a: ads.resume_campaign(a["id"]),
}
"""The campaign writes, likewise."""


def _error(code: str, message: str, **extra: str) -> ToolError:
    return ToolError(json.dumps({"code": code, "message": message, **extra}))


def _platform_error(exc: ShopcrewError) -> ToolError:
    if isinstance(exc, UnknownRecordError):
        kind = _KINDS.get(exc.kind, exc.kind)
        return _error("NOT_FOUND", str(exc), resource=kind, id=exc.record_id)
    if isinstance(exc, RetailRuleError):
        return _error("RULE_VIOLATION", exc.rule, hint=str(exc))
    return _error("INVALID_ARGUMENT", str(exc))


def _order(record: Record) -> dict[str, Any]:
    return {("customer_id" if k == "user_id" else k): v for k, v in record.items()}


def _customer(user_id: str, record: Record) -> dict[str, Any]:
    return {"id": user_id, **record}


def _product(record: Record) -> dict[str, Any]:
    return {("id" if k == "product_id" else k): v for k, v in record.items()}


@dataclass(frozen=True, slots=True)
class Faults:
    """Where the server process dies, for fault tests: at the first call to a tool."""

    exit_before: str | None = None
    """Exit on receiving this tool's call, before anything is applied."""
    exit_after: str | None = None
    """Exit after this tool's write is applied and journaled, before answering."""


class ReferencePlatform:
    """The store behind the server: reads, keyed writes, the journal.

    Args:
        base: The store as loaded (never changed).
        journal: Where writes are appended and replayed from; None keeps them in memory.
        faults: Where to exit the process (fault tests only).
    """

    def __init__(
        self,
        base: RetailStore,
        *,
        campaigns: Sequence[Campaign] = (),
        journal: Path | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.base, self.journal, self.faults = base, journal, faults or Faults()
        self.campaigns = tuple(campaigns)
        self.store = base.fork()
        self.ads = JsonAdsAdapter(self.campaigns, merchant_id=base.merchant_id)
        self.keys: dict[str, tuple[str, str, dict[str, Any]]] = {}
        if journal is not None and journal.exists():
            self._replay(journal)

    def _replay(self, journal: Path) -> None:
        lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
        for line in lines:
            if not line.endswith("\n"):
                break  # a write cut short by a crash: it was never answered, nor applied
            entry = json.loads(line)
            result = self._apply(entry["tool"], entry["args"])
            if entry["key"] is not None:
                self.keys[entry["key"]] = (entry["tool"], _fingerprint(entry["args"]), result)
        logger.info("replayed %d journaled writes from %s", len(lines), journal)

    def reset(self) -> str:
        """Start afresh from the base store (and an empty journal); return its hash."""
        self.store, self.keys = self.base.fork(), {}
        self.ads = JsonAdsAdapter(self.campaigns, merchant_id=self.base.merchant_id)
        if self.journal is not None:
            self.journal.write_text("", encoding="utf-8")
        return self.store.store_sha256()

    def read(self, fn: Callable[[RetailStore], Any]) -> Any:
        """Run a read, turning our errors into the platform's."""
        try:
            return fn(self.store)
        except ShopcrewError as exc:
            raise _platform_error(exc) from exc

    def write(self, tool: str, args: dict[str, Any], key: str | None) -> Record:
        """Apply a write tool once per key; return the changed record."""
        if self.faults.exit_before == tool:
            os._exit(75)
        fingerprint = _fingerprint(args)
        if key is not None and key in self.keys:
            done_tool, done_fingerprint, result = self.keys[key]
            if (done_tool, done_fingerprint) != (tool, fingerprint):
                raise _error("IDEMPOTENCY_CONFLICT", f"key {key!r} was used for another request")
            return result
        try:
            result = self._apply(tool, args)
        except ShopcrewError as exc:
            raise _platform_error(exc) from exc
        self._append(tool, args, key)
        if key is not None:
            self.keys[key] = (tool, fingerprint, result)
        if self.faults.exit_after == tool:
            os._exit(75)
        return result

    def _apply(self, tool: str, args: Args) -> Record:
        if tool in _ADS_CHANGES:
            return dict(_ADS_CHANGES[tool](self.ads, args).model_dump(mode="json"))
        return self.store.write(_CHANGES[tool](args))

    def _append(self, tool: str, args: dict[str, Any], key: str | None) -> None:
        if self.journal is None:
            return
        line = json.dumps({"tool": tool, "args": args, "key": key}, ensure_ascii=False) + "\n"
        with self.journal.open("a", encoding="utf-8") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())


def _fingerprint(args: Mapping[str, Any]) -> str:
    return json.dumps(args, sort_keys=True, ensure_ascii=False)


def build_reference_server(platform: ReferencePlatform) -> MCPServer:
    """The platform's MCP server over `platform` (its tools are registered here)."""
    server = MCPServer("reference-commerce", log_level="WARNING")
    _read_tools(server, platform)
    _write_tools(server, platform)
    add_test_tools(server, platform)
    add_ads_tools(server, platform)
    return server


def _read_tools(server: MCPServer, p: ReferencePlatform) -> None:
    async def catalog_get_product(id: str) -> dict[str, Any]:
        """A product with all its variants."""
        return {"product": _product(p.read(lambda s: rules.product(s, id)))}

    async def catalog_search(query: str = "") -> dict[str, Any]:
        """Products whose name contains `query` (any case); every product when empty."""
        found = [_product(r) for _, r in p.store.items("products")]
        return {"products": [r for r in found if query.lower() in str(r["name"]).lower()]}

    async def catalog_list_categories() -> dict[str, Any]:
        """Product type name -> product id."""
        return {"categories": p.read(rules.product_types)}

    async def customer_get(id: str) -> dict[str, Any]:
        """A customer with addresses, payment instruments and order ids."""
        return {"customer": _customer(id, p.read(lambda s: rules.user(s, id)))}

    async def customer_lookup(
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        postal_code: str | None = None,
        mobile: str | None = None,
    ) -> dict[str, Any]:
        """A customer's id: by email, or by name and postal code or mobile (or its last 4)."""
        if email is not None:
            return {"customer_id": p.read(lambda s: rules.find_user_id_by_email(s, email))}
        if first_name is None or last_name is None or (postal_code is None and mobile is None):
            raise _error(
                "INVALID_ARGUMENT", "give email, or first_name, last_name, postal_code or mobile"
            )
        if mobile is not None:
            found = p.read(
                lambda s: rules.find_user_id_by_name_phone(s, first_name, last_name, mobile)
            )
            return {"customer_id": found}
        zip_code = str(postal_code)
        found = p.read(lambda s: rules.find_user_id_by_name_zip(s, first_name, last_name, zip_code))
        return {"customer_id": found}

    async def order_get(id: str) -> dict[str, Any]:
        """An order by id (with the '#')."""
        return {"order": _order(p.read(lambda s: rules.order(s, id)))}

    async def order_list(customer_id: str) -> dict[str, Any]:
        """A customer's orders, oldest first."""

        def orders(store: RetailStore) -> list[dict[str, Any]]:
            return [_order(rules.order(store, i)) for i in rules.user(store, customer_id)["orders"]]

        return {"orders": p.read(orders)}

    reads: list[Callable[..., Awaitable[dict[str, Any]]]] = [
        catalog_get_product,
        catalog_search,
        catalog_list_categories,
        customer_get,
        customer_lookup,
        order_get,
        order_list,
    ]
    for fn in reads:
        server.add_tool(fn)


def _write_tools(server: MCPServer, p: ReferencePlatform) -> None:
    async def order_cancel(
        id: str, reason: str, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Cancel a pending order; every payment is refunded."""
        args = {"id": id, "reason": reason}
        return {"order": _order(p.write("order_cancel", args, idempotency_key))}

    async def order_update_shipping_address(
        id: str, address: AddressIn, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Ship a pending order to another address."""
        args = {"id": id, "address": address.model_dump()}
        return {"order": _order(p.write("order_update_shipping_address", args, idempotency_key))}

    async def order_update_payment(
        id: str, payment_instrument_id: str, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Pay a pending order with another instrument."""
        args = {"id": id, "payment_instrument_id": payment_instrument_id}
        return {"order": _order(p.write("order_update_payment", args, idempotency_key))}

    async def order_update_line_items(
        id: str,
        line_item_ids: list[str],
        replacement_item_ids: list[str],
        payment_instrument_id: str,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Swap line items of a pending order for other variants (once per order)."""
        args = {
            "id": id,
            "line_item_ids": line_item_ids,
            "replacement_item_ids": replacement_item_ids,
            "payment_instrument_id": payment_instrument_id,
        }
        return {"order": _order(p.write("order_update_line_items", args, idempotency_key))}

    async def return_create(
        order_id: str,
        line_item_ids: list[str],
        refund_instrument_id: str,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Open a return of delivered line items."""
        args = {
            "order_id": order_id,
            "line_item_ids": line_item_ids,
            "refund_instrument_id": refund_instrument_id,
        }
        return {"order": _order(p.write("return_create", args, idempotency_key))}

    async def exchange_create(
        order_id: str,
        line_item_ids: list[str],
        replacement_item_ids: list[str],
        payment_instrument_id: str,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Open an exchange of delivered line items for other variants."""
        args = {
            "order_id": order_id,
            "line_item_ids": line_item_ids,
            "replacement_item_ids": replacement_item_ids,
            "payment_instrument_id": payment_instrument_id,
        }
        return {"order": _order(p.write("exchange_create", args, idempotency_key))}

    async def customer_update_address(
        id: str, address: AddressIn, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Replace a customer's default address."""
        args = {"id": id, "address": address.model_dump()}
        record = p.write("customer_update_address", args, idempotency_key)
        return {"customer": _customer(id, record)}

    writes: list[Callable[..., Awaitable[dict[str, Any]]]] = [
        order_cancel,
        order_update_shipping_address,
        order_update_payment,
        order_update_line_items,
        return_create,
        exchange_create,
        customer_update_address,
    ]
    for fn in writes:
        server.add_tool(fn)
