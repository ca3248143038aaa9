"""`find_user_id_by_name_phone`: identify a customer by name and mobile number (手机号).

Not a τ-bench tool: Chinese shoppers identify with their name and 手机尾号 (the last four digits)
or the full number, where τ-bench's customers give an email or a name and zip. It sits beside
the 16 τ-bench tools (`shopcrew.tools.langchain.retail`), which it leaves as they are, and answers
in their style: the user id, or `Error: user not found`.
"""

from __future__ import annotations

from typing import Final

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import Field

from shopcrew.errors import UnknownRecordError
from shopcrew.tools.langchain._support import ToolArgs, make_tool
from shopcrew.tools.protocols.retail import CustomerAdapter
from shopcrew.tools.tau.names import IDENTIFY_TOOLS

__all__ = [
    "CUSTOMER_IDENTIFY_TOOLS",
    "FIND_USER_ID_BY_NAME_PHONE",
    "PHONE_PATTERN",
    "FindUserIdByNamePhone",
    "build_identify_tools",
]

FIND_USER_ID_BY_NAME_PHONE: Final = "find_user_id_by_name_phone"

CUSTOMER_IDENTIFY_TOOLS: Final[frozenset[str]] = IDENTIFY_TOOLS | {FIND_USER_ID_BY_NAME_PHONE}
"""Every tool that identifies a customer: τ-bench's two and the mobile-number one."""

_NOT_FOUND: Final = "user not found"
"""τ-bench's words for a miss, as its identification tools say it."""

PHONE_PATTERN: Final = r"^(?:1[3-9]\d{9}|\d{4})$"
"""A mainland mobile number (11 digits, 1[3-9]…) or its last four digits (手机尾号)."""


class FindUserIdByNamePhone(ToolArgs):
    """Find a user id by first name, last name and mobile number (full, or its last 4 digits)."""

    first_name: str = Field(min_length=1, description="Given name, e.g. '霞'.")
    last_name: str = Field(min_length=1, description="Surname, e.g. '宋'.")
    phone: str = Field(
        pattern=PHONE_PATTERN,
        description="The full mobile number ('13512346712') or its last four digits ('6712'), "
        "digits only, as the customer typed them.",
    )


def build_identify_tools(customers: CustomerAdapter) -> list[BaseTool]:
    """The mobile-number identification tool over one merchant's customers."""

    def find(a: FindUserIdByNamePhone, config: RunnableConfig) -> str:
        try:
            return customers.find_customer_id_by_name_phone(a.first_name, a.last_name, a.phone)
        except UnknownRecordError as exc:
            raise ToolException(_NOT_FOUND) from exc

    async def afind(a: FindUserIdByNamePhone, config: RunnableConfig) -> str:
        try:
            return await customers.afind_customer_id_by_name_phone(
                a.first_name, a.last_name, a.phone
            )
        except UnknownRecordError as exc:
            raise ToolException(_NOT_FOUND) from exc

    return [
        make_tool(
            find,
            afind,
            name=FIND_USER_ID_BY_NAME_PHONE,
            args_schema=FindUserIdByNamePhone,
            description=(FindUserIdByNamePhone.__doc__ or "")
            + " For shops whose customers give a mobile number (手机号, 手机尾号) instead of "
            "an email or zip. Call it before reading or changing any account or order data.",
        )
    ]
