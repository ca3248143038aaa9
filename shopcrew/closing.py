"""`with` and `async with` for objects that own connections: one mixin instead of four copies.

Leaf module: it imports nothing of ours, so tools/ and memory/ may use it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["Closing"]


class Closing:
    """Context-manager protocol over `close()` and `aclose()`, which subclasses define."""

    def close(self) -> None:
        """Release what the object opened."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release what the object opened, the async clients included."""
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
