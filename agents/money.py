"""Amounts as customers read them: with the shop's currency and two decimals."""

from __future__ import annotations

from typing import Final

__all__ = ["CURRENCY_SIGNS", "currency_sign", "format_money"]

CURRENCY_SIGNS: Final = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}
"""The sign written before an amount, by ISO 4217 code."""


def currency_sign(currency: str) -> str:
    """The sign written before an amount ("$", "¥"), or the code itself with a space after."""
    return CURRENCY_SIGNS.get(currency.upper(), f"{currency.upper()} ")


def format_money(amount: float, currency: str = "USD") -> str:
    """An amount with its currency sign and two decimals: ``$1,234.56``, ``¥91.00``, ``-$5.00``.

    A currency without a known sign is written after the amount (``12.00 CHF``).
    """
    value = f"{abs(round(amount, 2)):,.2f}"
    sign = "-" if round(amount, 2) < 0 else ""
    symbol = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency.upper()}"
