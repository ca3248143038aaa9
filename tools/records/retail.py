"""The retail domain model: products, orders and customers in τ-bench's retail shape.

These pydantic models validate every record a store file holds and are the typed views
that adapters hand to agent code. They are not the state of record: the JSON backend keeps
the raw insertion-ordered dicts (so results and dumps stay byte-exact, integer gift card
balances stay integers) and builds a model from a record when a caller asks for one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Address",
    "CancelReason",
    "CreditCard",
    "Customer",
    "CustomerName",
    "Fulfillment",
    "GiftCard",
    "Order",
    "OrderItem",
    "OrderStatus",
    "PayPal",
    "PaymentMethod",
    "PaymentTransaction",
    "Product",
    "TransactionType",
    "Variant",
    "WalletAccount",
]

_RECORD = ConfigDict(extra="forbid", strict=True, frozen=True)

OrderStatus = Literal[
    "pending",
    "processed",
    "delivered",
    "cancelled",
    "pending (item modified)",
    "return requested",
    "exchange requested",
]
"""Every status an order can have; tools add the last three and set `cancelled`."""

CancelReason = Literal["no longer needed", "ordered by mistake"]
"""The two reasons a pending order may be cancelled for."""

TransactionType = Literal["payment", "refund"]


class Address(BaseModel):
    """A postal address; values are free text (an empty `address2` is normal).

    A Chinese address (country `中国`) keeps the same fields in the Chinese order of parts:
    `state` is the 省 (or 直辖市), `city` the 市, `address2` the 区/县, `address1` the 详细地址
    (street, number, building, room) and `zip` the six-digit 邮编. So the τ-bench address tools
    read and write it unchanged.
    """

    model_config = _RECORD

    address1: str
    address2: str
    city: str
    country: str
    state: str
    zip: str


class CustomerName(BaseModel):
    """A customer's first and last name."""

    model_config = _RECORD

    first_name: str
    last_name: str


class CreditCard(BaseModel):
    """A card on file; only the brand and last four digits are stored.

    In the Chinese shop this is a bank card (银行卡) and `brand` is the bank (招商银行).
    """

    model_config = _RECORD

    source: Literal["credit_card"]
    brand: str
    last_four: str
    id: str


class GiftCard(BaseModel):
    """A store gift card with a balance (购物金, store credit, in the Chinese shop).

    The files hold integer balances (`91`); they become floats only once a tool does
    arithmetic on them, so the type is `int | float` and an integer stays an integer.
    """

    model_config = _RECORD

    source: Literal["gift_card"]
    balance: int | float
    id: str


class PayPal(BaseModel):
    """A linked PayPal account."""

    model_config = _RECORD

    source: Literal["paypal"]
    id: str


class WalletAccount(BaseModel):
    """A linked wallet of the Chinese shop: 支付宝 (`alipay`), 微信支付 (`wechat_pay`) or 花呗."""

    model_config = _RECORD

    source: Literal["alipay", "wechat_pay", "huabei"]
    id: str


PaymentMethod = Annotated[
    CreditCard | GiftCard | PayPal | WalletAccount, Field(discriminator="source")
]
"""One of a customer's payment methods, told apart by `source`."""


class Customer(BaseModel):
    """A customer (a τ-bench *user*); the id is the key of the record, not a field."""

    model_config = _RECORD

    name: CustomerName
    address: Address
    """The default address; `find_user_id_by_name_zip` matches on its zip."""
    email: str
    phone: str | None = None
    """A masked mobile number (`138****5678`), in the Chinese shop; τ-bench users have none."""
    payment_methods: dict[str, PaymentMethod]
    """Payment methods keyed by their id."""
    orders: list[str]
    """Ids of the customer's orders, oldest first."""


class Variant(BaseModel):
    """One purchasable variant (an *item*) of a product."""

    model_config = _RECORD

    item_id: str
    options: dict[str, str]
    """Option name to value, e.g. `{"color": "blue", "size": "M"}`."""
    available: bool
    price: float


class Product(BaseModel):
    """A product type with its variants."""

    model_config = _RECORD

    name: str
    product_id: str
    variants: dict[str, Variant]
    """Variants keyed by item id (a separate id space from product ids)."""


class OrderItem(BaseModel):
    """One line of an order; an order may hold the same `item_id` more than once."""

    model_config = _RECORD

    name: str
    product_id: str
    item_id: str
    price: float
    options: dict[str, str]


class Fulfillment(BaseModel):
    """A shipment: tracking numbers and the items it carries."""

    model_config = _RECORD

    tracking_id: list[str]
    item_ids: list[str]
    courier: str | None = None
    """The courier's code (`SF`, `ZTO`, `YTO`, `YUNDA`), in the Chinese shop; see `terms`."""


class PaymentTransaction(BaseModel):
    """A payment or refund recorded on an order."""

    model_config = _RECORD

    transaction_type: TransactionType
    amount: float
    payment_method_id: str


class Order(BaseModel):
    """An order with its items, fulfilments and payment history.

    The optional fields are the keys that write tools append to an order record.
    """

    model_config = _RECORD

    order_id: str
    user_id: str
    address: Address
    items: list[OrderItem]
    fulfillments: list[Fulfillment]
    status: OrderStatus
    payment_history: list[PaymentTransaction]
    cancel_reason: CancelReason | None = None
    """Set when the order was cancelled by a tool."""
    return_items: list[str] | None = None
    """Item ids requested for return, sorted."""
    return_payment_method_id: str | None = None
    exchange_items: list[str] | None = None
    """Item ids to exchange, sorted."""
    exchange_new_items: list[str] | None = None
    """Replacement item ids, sorted on their own (the pairing is not kept)."""
    exchange_payment_method_id: str | None = None
    exchange_price_difference: float | None = None
    """New minus old price, rounded to cents; negative means money back."""
