"""Idempotent writes: the same key applies an operation once (in memory or on Redis)."""

from shopcrew.tools.idempotency.base import IdempotencyStore, InMemoryIdempotencyStore, fingerprint
from shopcrew.tools.idempotency.redis import RedisIdempotencyStore

__all__ = ["IdempotencyStore", "InMemoryIdempotencyStore", "RedisIdempotencyStore", "fingerprint"]
