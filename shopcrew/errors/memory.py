"""Errors of the memory backend (Redis)."""

from __future__ import annotations

from shopcrew.errors._base import ShopcrewError

__all__ = [
    "CheckpointFormatError",
    "KeyTypeError",
    "MemoryBackendError",
    "RedisOutOfMemoryError",
    "RedisSpawnError",
    "RedisUnavailableError",
]


class MemoryBackendError(ShopcrewError):
    """A problem with the memory backend (Redis)."""


class RedisUnavailableError(MemoryBackendError, ConnectionError):
    """The Redis server could not be reached after bounded retries."""

    def __init__(self, server: str, cause: str) -> None:
        self.server = server
        super().__init__(
            f"Redis at {server} is unreachable ({cause}). Check that the server runs and the "
            "URL is right (REDIS_URL or --redis); unset it to use in-memory memory instead."
        )


class KeyTypeError(MemoryBackendError, TypeError):
    """A Redis key holds a type we did not write: another program uses our namespace."""

    def __init__(self, key: str, *, expected: str, found: str) -> None:
        self.key, self.expected, self.found = key, expected, found
        super().__init__(
            f"Redis key {key!r} holds a {found}, expected a {expected}: another program "
            "writes into this namespace. Choose another namespace; nothing was overwritten."
        )


class RedisOutOfMemoryError(MemoryBackendError):
    """Redis refused a write because it reached `maxmemory` (policy `noeviction`).

    The refused call wrote nothing: our writes are single Lua scripts, which Redis refuses
    before their first write or runs to the end.
    """

    def __init__(self, server: str, cause: str) -> None:
        self.server = server
        super().__init__(
            f"Redis at {server} is out of memory and refused the write ({cause}); nothing was "
            "written. Raise its maxmemory, or free memory: prune or delete old threads "
            "(RedisSaver.prune / delete_thread), give threads and items a TTL, or move to a "
            "larger server or a cluster. Keep maxmemory-policy noeviction: an evicting policy "
            "would silently drop checkpoints."
        )


class CheckpointFormatError(MemoryBackendError, ValueError):
    """A stored checkpoint was written by another serde or format version."""


class RedisSpawnError(MemoryBackendError, RuntimeError):
    """The runner could not start its own Redis server."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"cannot start a private redis-server: {problem}. Install Redis (redis-server on "
            "the PATH) or pass --redis URL of a running server."
        )
