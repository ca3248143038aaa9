"""Harness case keys for records whose ids may repeat in a data file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

__all__ = ["keyed_cases"]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_HasId)


def keyed_cases(records: Iterable[R]) -> dict[str, R]:
    """The records by a unique case key: the id, or `id#2`, `id#3`... for a repeated one.

    A repeated id is still a case of its own; the harness needs unique keys.
    """
    keyed: dict[str, R] = {}
    for record in records:
        key, n = record.id, 1
        while key in keyed:
            n += 1
            key = f"{record.id}#{n}"
        keyed[key] = record
    return keyed
