"""τ-bench compatibility: the 16 retail tools with τ-bench's names, arguments and strings.

`TauRetailTools(store).invoke(name, kwargs)` returns exactly the string τ-bench's retail
environment step returns for that call (TOOLS.md of `tau-retail`), including its error
strings; a failed call changes nothing. The tools run on the reference backend
(`RetailStore` and its rules), the same code the JSON adapters use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from shopcrew.errors import RetailRuleError, UnknownRecordError
from shopcrew.tools.reference import _rules as rules
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau import _args as args_
from shopcrew.tools.tau._calculate import calculate
from shopcrew.tools.tau.names import TOOL_ARGS

__all__ = ["TauRetailTools", "tau_retail_tool_schemas"]

logger = logging.getLogger(__name__)

_NOT_FOUND_WORD: Final = {"customer": "user"}
"""τ-bench says *user* where shopcrew says customer."""


def tau_retail_tool_schemas() -> list[dict[str, Any]]:
    """Return the tools as OpenAI function-calling schemas, in name order."""
    schemas: list[dict[str, Any]] = []
    for name, model in TOOL_ARGS.items():
        parameters = model.model_json_schema()
        parameters.pop("title", None)
        for field in parameters.get("properties", {}).values():
            field.pop("title", None)
        schemas.append(
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": (model.__doc__ or "").strip(),
                    "parameters": parameters,
                },
            }
        )
    return schemas


class TauRetailTools:
    """τ-bench's retail tools over one `RetailStore`.

    Args:
        store: The store the tools read and change in place.
    """

    def __init__(self, store: RetailStore) -> None:
        self.store = store

    def invoke(self, name: str, kwargs: Mapping[str, Any]) -> str:
        """Call tool `name` with keyword arguments and return its result string.

        Never raises for a bad call: an unknown tool gives `Unknown action <name>`, bad
        arguments and refused changes give `Error: <message>`, and the store is unchanged.
        """
        model = TOOL_ARGS.get(name)
        if model is None:
            return f"Unknown action {name}"
        try:
            arguments = model.model_validate(dict(kwargs))
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            return f"Error: {name}() argument {where}: {problem['msg']}"
        try:
            return self._run(arguments)
        except RetailRuleError as exc:
            return f"Error: {exc.rule}"
        except UnknownRecordError as exc:
            return f"Error: {_NOT_FOUND_WORD.get(exc.kind, exc.kind)} not found"
        except Exception as exc:
            # τ-bench's harness turns any exception of a tool into a result string; the
            # replay relies on that, and the store is unchanged (writes commit at the end).
            logger.debug("tool %s raised", name, exc_info=True)
            return f"Error: {exc}"

    def _run(self, a: BaseModel) -> str:
        store = self.store
        match a:
            case args_.FindUserIdByEmail():
                return rules.find_user_id_by_email(store, a.email)
            case args_.FindUserIdByNameZip():
                return rules.find_user_id_by_name_zip(store, a.first_name, a.last_name, a.zip)
            case args_.GetUserDetails():
                return json.dumps(rules.user(store, a.user_id))
            case args_.GetOrderDetails():
                return json.dumps(rules.order(store, a.order_id))
            case args_.GetProductDetails():
                return json.dumps(rules.product(store, a.product_id))
            case args_.ListAllProductTypes():
                return json.dumps(rules.product_types(store))
            case args_.Calculate():
                return calculate(a.expression)
            case args_.Think():
                return ""
            case args_.TransferToHumanAgents():
                return "Transfer successful"
        return json.dumps(self._write(a))

    def _write(self, a: BaseModel) -> dict[str, Any]:
        match a:
            case args_.CancelPendingOrder():
                return self.store.write(lambda s: rules.cancel_order(s, a.order_id, a.reason))
            case args_.ModifyPendingOrderAddress():
                address = rules.new_address(
                    a.address1, a.address2, a.city, a.state, a.country, a.zip
                )
                return self.store.write(
                    lambda s: rules.modify_order_address(s, a.order_id, address)
                )
            case args_.ModifyPendingOrderPayment():
                return self.store.write(
                    lambda s: rules.modify_order_payment(s, a.order_id, a.payment_method_id)
                )
            case args_.ModifyPendingOrderItems():
                return self.store.write(
                    lambda s: rules.modify_order_items(
                        s, a.order_id, a.item_ids, a.new_item_ids, a.payment_method_id
                    )
                )
            case args_.ReturnDeliveredOrderItems():
                return self.store.write(
                    lambda s: rules.return_order_items(
                        s, a.order_id, a.item_ids, a.payment_method_id
                    )
                )
            case args_.ExchangeDeliveredOrderItems():
                return self.store.write(
                    lambda s: rules.exchange_order_items(
                        s, a.order_id, a.item_ids, a.new_item_ids, a.payment_method_id
                    )
                )
            case args_.ModifyUserAddress():
                address = rules.new_address(
                    a.address1, a.address2, a.city, a.state, a.country, a.zip
                )
                return self.store.write(lambda s: rules.modify_user_address(s, a.user_id, address))
        raise TypeError(f"no implementation for {type(a).__name__}")
