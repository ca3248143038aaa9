"""The Redis long-term store: LangGraph's `BaseStore` on plain Redis commands."""

from shopcrew.memory.store.redis import RedisStore

__all__ = ["RedisStore"]
