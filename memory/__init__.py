"""shopcrew.memory."""

__all__: list[str] = []
