"""The 16 τ-bench retail tools as LangChain tools over the retail adapter Protocols.

Names, arguments and result strings are τ-bench's (`tau-retail/TOOLS.md`), so a transcript of
an agent using them reads like a τ-bench one: records come back as τ-bench's JSON, failures as
`Error: <reason>` in τ-bench's words (`Error: order not found`, `Error: non-pending order
cannot be cancelled`) and change nothing. (One difference: an address a tool has rewritten
prints its keys in the files' order, `country` before `state`, where τ-bench prints them in
the order it wrote them; the values and the store are the same.) The tools run on any backend
that implements `CatalogAdapter`, `OrderAdapter` and `CustomerAdapter`. Writes go through an
`IdempotencyStore` keyed `{thread_id}:{tool_call_id}` (`shopcrew.tools.langchain._support`), so a
retried graph step applies a write once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, cast

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, JsonValue, ValidationError

from shopcrew.errors import RetailRuleError, RunAbortedError, ShopcrewError, UnknownRecordError
from shopcrew.tools.idempotency.base import IdempotencyStore, InMemoryIdempotencyStore
from shopcrew.tools.langchain._support import KeyedTool, arun_write, run_write
from shopcrew.tools.protocols.retail import CatalogAdapter, CustomerAdapter, OrderAdapter
from shopcrew.tools.records.retail import Address, CancelReason
from shopcrew.tools.tau import _args as args_
from shopcrew.tools.tau._calculate import calculate
from shopcrew.tools.tau.names import (
    FIND_USER_ID_BY_EMAIL,
    FIND_USER_ID_BY_NAME_ZIP,
    GET_ORDER_DETAILS,
    GET_USER_DETAILS,
    RETAIL_TOOL_NAMES,
    RETAIL_WRITE_TOOLS,
    TOOL_ARGS,
    TRANSFER_TO_HUMAN_AGENTS,
)

__all__ = ["build_retail_tools"]

logger = logging.getLogger(__name__)


_NOT_FOUND_WORD: Final = {"customer": "user"}
"""τ-bench says *user* where shopcrew says customer."""

_POLICY_NOTES: Final[dict[str, str]] = {
    FIND_USER_ID_BY_EMAIL: " Call it before reading or changing any account or order data.",
    FIND_USER_ID_BY_NAME_ZIP: " The zip is that of the customer's current default address.",
    GET_USER_DETAILS: " Returns their addresses, payment methods and order ids as JSON.",
    GET_ORDER_DETAILS: " Only for an order in the identified customer's `orders` list.",
    TRANSFER_TO_HUMAN_AGENTS: " Use it when the customer asks for a person, wants a refund "
    "without a return, or asks for something about the shop these tools cannot do.",
}
_WRITE_NOTE: Final = (
    " Before calling it, state the exact change and get the customer's explicit yes."
)


def _description(name: str) -> str:
    text = (TOOL_ARGS[name].__doc__ or name).strip()
    note = _WRITE_NOTE if name in RETAIL_WRITE_TOOLS else _POLICY_NOTES.get(name, "")
    return text + note


def _tau_json(value: BaseModel) -> str:
    """A record as τ-bench prints it (the models keep the files' key order)."""
    return json.dumps(value.model_dump(mode="json", exclude_none=True))


def _address(a: args_.ModifyPendingOrderAddress | args_.ModifyUserAddress) -> Address:
    return Address(
        address1=a.address1,
        address2=a.address2,
        city=a.city,
        country=a.country,
        state=a.state,
        zip=a.zip,
    )


def _tau_error(exc: ShopcrewError) -> ToolException:
    if isinstance(exc, RetailRuleError):
        return ToolException(exc.rule)
    if isinstance(exc, UnknownRecordError):
        return ToolException(f"{_NOT_FOUND_WORD.get(exc.kind, exc.kind)} not found")
    return ToolException(str(exc))


def _validation_error(exc: ValidationError | Exception) -> str:
    if not isinstance(exc, ValidationError):
        return f"Error: {exc}"
    problem = exc.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "arguments"
    return f"Error: argument {where}: {problem['msg']}"


def _tool_error(exc: ToolException) -> str:
    return f"Error: {exc}"


class _RetailCalls:
    """The tools' bodies: τ-bench semantics on the adapters, one sync and one async path."""

    def __init__(
        self,
        catalog: CatalogAdapter,
        orders: OrderAdapter,
        customers: CustomerAdapter,
        idempotency: IdempotencyStore,
    ) -> None:
        self.catalog, self.orders, self.customers = catalog, orders, customers
        self.idempotency = idempotency

    def run(self, name: str, a: BaseModel, config: RunnableConfig) -> str:
        if name in RETAIL_WRITE_TOOLS:
            arguments = cast(dict[str, JsonValue], a.model_dump(mode="json"))
            return run_write(
                self.idempotency,
                config,
                name=name,
                arguments=arguments,
                apply=lambda key: self._write(a, key),
            )
        return self._read(a)

    async def arun(self, name: str, a: BaseModel, config: RunnableConfig) -> str:
        if name in RETAIL_WRITE_TOOLS:
            arguments = cast(dict[str, JsonValue], a.model_dump(mode="json"))
            return await arun_write(
                self.idempotency,
                config,
                name=name,
                arguments=arguments,
                apply=lambda key: self._awrite(a, key),
            )
        return await self._aread(a)

    def _read(self, a: BaseModel) -> str:
        match a:
            case args_.FindUserIdByEmail():
                return self.customers.find_customer_id_by_email(a.email)
            case args_.FindUserIdByNameZip():
                return self.customers.find_customer_id_by_name_zip(a.first_name, a.last_name, a.zip)
            case args_.GetUserDetails():
                return _tau_json(self.customers.get_customer(a.user_id))
            case args_.GetOrderDetails():
                return _tau_json(self.orders.get_order(a.order_id))
            case args_.GetProductDetails():
                return _tau_json(self.catalog.get_product(a.product_id))
            case args_.ListAllProductTypes():
                return json.dumps(dict(self.catalog.list_product_types()))
        return _offline(a)

    async def _aread(self, a: BaseModel) -> str:
        match a:
            case args_.FindUserIdByEmail():
                return await self.customers.afind_customer_id_by_email(a.email)
            case args_.FindUserIdByNameZip():
                return await self.customers.afind_customer_id_by_name_zip(
                    a.first_name, a.last_name, a.zip
                )
            case args_.GetUserDetails():
                return _tau_json(await self.customers.aget_customer(a.user_id))
            case args_.GetOrderDetails():
                return _tau_json(await self.orders.aget_order(a.order_id))
            case args_.GetProductDetails():
                return _tau_json(await self.catalog.aget_product(a.product_id))
            case args_.ListAllProductTypes():
                return json.dumps(dict(await self.catalog.alist_product_types()))
        return _offline(a)

    def _write(self, a: BaseModel, key: str | None) -> str:
        o = self.orders
        match a:
            case args_.CancelPendingOrder():
                reason = cast(CancelReason, a.reason)  # the backend refuses other reasons
                return _tau_json(o.cancel_order(a.order_id, reason=reason, idempotency_key=key))
            case args_.ModifyPendingOrderAddress():
                return _tau_json(
                    o.modify_order_address(a.order_id, _address(a), idempotency_key=key)
                )
            case args_.ModifyPendingOrderPayment():
                pm = a.payment_method_id
                return _tau_json(
                    o.modify_order_payment(a.order_id, payment_method_id=pm, idempotency_key=key)
                )
            case args_.ModifyPendingOrderItems():
                return _tau_json(
                    o.modify_order_items(
                        a.order_id,
                        item_ids=a.item_ids,
                        new_item_ids=a.new_item_ids,
                        payment_method_id=a.payment_method_id,
                        idempotency_key=key,
                    )
                )
            case args_.ReturnDeliveredOrderItems():
                return _tau_json(
                    o.return_order_items(
                        a.order_id,
                        item_ids=a.item_ids,
                        payment_method_id=a.payment_method_id,
                        idempotency_key=key,
                    )
                )
            case args_.ExchangeDeliveredOrderItems():
                return _tau_json(
                    o.exchange_order_items(
                        a.order_id,
                        item_ids=a.item_ids,
                        new_item_ids=a.new_item_ids,
                        payment_method_id=a.payment_method_id,
                        idempotency_key=key,
                    )
                )
            case args_.ModifyUserAddress():
                return _tau_json(
                    self.customers.modify_customer_address(
                        a.user_id, _address(a), idempotency_key=key
                    )
                )
        raise TypeError(f"no write implementation for {type(a).__name__}")

    async def _awrite(self, a: BaseModel, key: str | None) -> str:
        o = self.orders
        match a:
            case args_.CancelPendingOrder():
                reason = cast(CancelReason, a.reason)
                return _tau_json(
                    await o.acancel_order(a.order_id, reason=reason, idempotency_key=key)
                )
            case args_.ModifyPendingOrderAddress():
                return _tau_json(
                    await o.amodify_order_address(a.order_id, _address(a), idempotency_key=key)
                )
            case args_.ModifyPendingOrderPayment():
                pm = a.payment_method_id
                return _tau_json(
                    await o.amodify_order_payment(
                        a.order_id, payment_method_id=pm, idempotency_key=key
                    )
                )
            case args_.ModifyPendingOrderItems():
                return _tau_json(
                    await o.amodify_order_items(
                        a.order_id,
                        item_ids=a.item_ids,
                        new_item_ids=a.new_item_ids,
                        payment_method_id=a.payment_method_id,
                        idempotency_key=key,
                    )
                )
            case args_.ReturnDeliveredOrderItems():
                return _tau_json(
                    await o.areturn_order_items(
                        a.order_id,
                        item_ids=a.item_ids,
                        payment_method_id=a.payment_method_id,
                        idempotency_key=key,
                    )
                )
            case args_.ExchangeDeliveredOrderItems():
                return _tau_json(
                    await o.aexchange_order_items(
                        a.order_id,
                        item_ids=a.item_ids,
                        new_item_ids=a.new_item_ids,
                        payment_method_id=a.payment_method_id,
                        idempotency_key=key,
                    )
                )
            case args_.ModifyUserAddress():
                return _tau_json(
                    await self.customers.amodify_customer_address(
                        a.user_id, _address(a), idempotency_key=key
                    )
                )
        raise TypeError(f"no write implementation for {type(a).__name__}")


def _offline(a: BaseModel) -> str:
    """The tools that touch no adapter: calculate, think, transfer."""
    match a:
        case args_.Calculate():
            result = calculate(a.expression)
            if result.startswith("Error: "):
                raise ToolException(result.removeprefix("Error: "))
            return result
        case args_.Think():
            return ""
        case args_.TransferToHumanAgents():
            return "Transfer successful"
    raise TypeError(f"no implementation for {type(a).__name__}")


def _make(calls: _RetailCalls, name: str) -> KeyedTool:
    schema = TOOL_ARGS[name]

    def func(config: RunnableConfig, **kwargs: Any) -> str:
        try:
            return calls.run(name, schema.model_validate(kwargs), config)
        except RunAbortedError:
            raise
        except ShopcrewError as exc:
            raise _tau_error(exc) from exc

    async def coroutine(config: RunnableConfig, **kwargs: Any) -> str:
        try:
            return await calls.arun(name, schema.model_validate(kwargs), config)
        except RunAbortedError:
            raise
        except ShopcrewError as exc:
            raise _tau_error(exc) from exc

    return KeyedTool(
        name=name,
        description=_description(name),
        func=func,
        coroutine=cast(Callable[..., Awaitable[str]], coroutine),
        args_schema=schema,
        handle_tool_error=_tool_error,
        handle_validation_error=_validation_error,
    )


def build_retail_tools(
    *,
    catalog: CatalogAdapter,
    orders: OrderAdapter,
    customers: CustomerAdapter,
    idempotency: IdempotencyStore | None = None,
) -> list[BaseTool]:
    """The 16 τ-bench retail tools, in name order, over one merchant's retail adapters.

    Each tool validates its arguments with τ-bench's schema (unknown arguments are refused)
    and returns τ-bench's result string; a failure comes back as a tool message starting
    with `Error:` (status `error`) and changes nothing. The tools do not enforce the CS
    policy (identification, ownership, confirmation): `shopcrew.agents.cs.guard` does, in
    front of them.

    Args:
        catalog: The products.
        orders: The orders.
        customers: The customers.
        idempotency: Where write results are recorded by `{thread_id}:{tool_call_id}`;
            an in-memory store when omitted.

    Returns:
        The tools, sorted by name.
    """
    store = idempotency or InMemoryIdempotencyStore(merchant_id=orders.merchant_id)
    calls = _RetailCalls(catalog, orders, customers, store)
    return [_make(calls, name) for name in RETAIL_TOOL_NAMES]
