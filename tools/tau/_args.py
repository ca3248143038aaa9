"""Argument models of τ-bench's 16 retail tools (names and fields as τ-bench has them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Calculate",
    "CancelPendingOrder",
    "ExchangeDeliveredOrderItems",
    "FindUserIdByEmail",
    "FindUserIdByNameZip",
    "GetOrderDetails",
    "GetProductDetails",
    "GetUserDetails",
    "ListAllProductTypes",
    "ModifyPendingOrderAddress",
    "ModifyPendingOrderItems",
    "ModifyPendingOrderPayment",
    "ModifyUserAddress",
    "ReturnDeliveredOrderItems",
    "Think",
    "TransferToHumanAgents",
]

_ARGS = ConfigDict(extra="forbid", strict=True, frozen=True)


class _OrderArgs(BaseModel):
    model_config = _ARGS

    order_id: str = Field(description="The order id, such as '#W0000000', with the '#'.")


class _AddressFields(BaseModel):
    model_config = _ARGS

    address1: str = Field(description="The first line of the address, such as '123 Main St'.")
    address2: str = Field(description="The second line of the address, such as 'Apt 1' or ''.")
    city: str = Field(description="The city, such as 'San Francisco'.")
    state: str = Field(description="The state, such as 'CA'.")
    country: str = Field(description="The country, such as 'USA'.")
    zip: str = Field(description="The zip code, such as '12345'.")


class FindUserIdByEmail(BaseModel):
    """Find a user id by email; use it to authenticate the user."""

    model_config = _ARGS

    email: str = Field(description="The email of the user, such as 'something@example.com'.")


class FindUserIdByNameZip(BaseModel):
    """Find a user id by first name, last name and zip code (when the email is unknown)."""

    model_config = _ARGS

    first_name: str = Field(description="The first name of the customer, such as 'John'.")
    last_name: str = Field(description="The last name of the customer, such as 'Doe'.")
    zip: str = Field(description="The zip code of the customer, such as '12345'.")


class GetUserDetails(BaseModel):
    """Get the details of a user, including their orders and payment methods."""

    model_config = _ARGS

    user_id: str = Field(description="The user id, such as 'sara_doe_496'.")


class GetOrderDetails(_OrderArgs):
    """Get the status and details of an order."""


class GetProductDetails(BaseModel):
    """Get the inventory details of a product (all its variants)."""

    model_config = _ARGS

    product_id: str = Field(description="The product id, such as '6086499569' (not an item id).")


class ListAllProductTypes(BaseModel):
    """List the name and product id of every product type (50 in the reference store)."""

    model_config = _ARGS


class Calculate(BaseModel):
    """Calculate an arithmetic expression; the result is rounded to 2 decimals."""

    model_config = _ARGS

    expression: str = Field(
        description="Numbers, operators (+, -, *, /), parentheses and spaces, e.g. '2 + 2'."
    )


class Think(BaseModel):
    """Think about something: changes nothing, only writes the thought down."""

    model_config = _ARGS

    thought: str = Field(description="A thought to think about.")


class TransferToHumanAgents(BaseModel):
    """Transfer the user to a human agent, with a summary of the issue."""

    model_config = _ARGS

    summary: str = Field(description="A summary of the user's issue.")


class CancelPendingOrder(_OrderArgs):
    """Cancel a pending order; the payment is refunded to its original method."""

    reason: str = Field(description="Either 'no longer needed' or 'ordered by mistake'.")


class ModifyPendingOrderAddress(_OrderArgs, _AddressFields):
    """Change the shipping address of a pending order."""


class ModifyPendingOrderPayment(_OrderArgs):
    """Change the payment method of a pending order."""

    payment_method_id: str = Field(
        description="A payment method id of the user, such as 'gift_card_0000000'."
    )


class ModifyPendingOrderItems(_OrderArgs):
    """Modify items of a pending order to other variants of the same products (once only)."""

    item_ids: list[str] = Field(description="The item ids to be modified; may repeat.")
    new_item_ids: list[str] = Field(description="The new item ids, paired by position.")
    payment_method_id: str = Field(description="Pays or receives the price difference.")


class ReturnDeliveredOrderItems(_OrderArgs):
    """Return items of a delivered order."""

    item_ids: list[str] = Field(description="The item ids to be returned; may repeat.")
    payment_method_id: str = Field(
        description="Receives the refund: the original payment method or a gift card."
    )


class ExchangeDeliveredOrderItems(_OrderArgs):
    """Exchange items of a delivered order for other variants of the same products."""

    item_ids: list[str] = Field(description="The item ids to be exchanged; may repeat.")
    new_item_ids: list[str] = Field(description="The new item ids, paired by position.")
    payment_method_id: str = Field(description="Pays or receives the price difference.")


class ModifyUserAddress(_AddressFields):
    """Change the default address of a user."""

    user_id: str = Field(description="The user id, such as 'sara_doe_496'.")
