"""The words customers read for the domain's codes, in their language.

Order statuses, cancellation reasons, payment kinds and couriers are codes in the store
(τ-bench's `pending`, `credit_card`; the courier `SF`); a customer reads `待发货`, `银行卡`,
`顺丰速运`. The tables are data (`shopcrew/data/terms/<lang>.yaml`), one per language, shared by
every agent and report that names these codes to a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

import yaml

from shopcrew.data import terms_path

__all__ = ["RetailTerms", "TermsLang", "retail_terms"]

TermsLang = Literal["en", "zh"]


@dataclass(frozen=True, slots=True)
class RetailTerms:
    """The words of one language; a code without a word is shown as it is."""

    statuses: Mapping[str, str]
    cancel_reasons: Mapping[str, str]
    payment_sources: Mapping[str, str]
    couriers: Mapping[str, str]
    transaction_types: Mapping[str, str]

    def status(self, code: str) -> str:
        """An order status as the customer reads it (`pending` -> `待发货`)."""
        return self.statuses.get(code, code)

    def cancel_reason(self, code: str) -> str:
        """A cancellation reason (`ordered by mistake` -> `拍错了`)."""
        return self.cancel_reasons.get(code, code)

    def payment_source(self, code: str) -> str:
        """A payment method's kind (`alipay` -> `支付宝`)."""
        return self.payment_sources.get(code, code)

    def courier(self, code: str) -> str:
        """A courier (`SF` -> `顺丰速运`)."""
        return self.couriers.get(code, code)


@cache
def retail_terms(lang: TermsLang) -> RetailTerms:
    """The domain's words in `lang`, read once."""
    data = yaml.safe_load(terms_path(lang).read_text(encoding="utf-8"))
    return RetailTerms(
        statuses=dict(data["statuses"]),
        cancel_reasons=dict(data["cancel_reasons"]),
        payment_sources=dict(data["payment_sources"]),
        couriers=dict(data["couriers"]),
        transaction_types=dict(data["transaction_types"]),
    )
