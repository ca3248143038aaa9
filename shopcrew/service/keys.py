"""Per-merchant API keys, hashed at rest: in memory, in a JSON file, or in Redis.

A key is `sck_<key id>_<secret>`: the secret is 32 random bytes, shown once when the key is
created. Only its SHA-256 is kept, beside the merchant and the creation time; verifying a key
looks its record up by key id and compares the hashes in constant time. The key decides the
merchant of every request, never the request itself.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol

from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shopcrew.closing import Closing
from shopcrew.errors import InvalidMerchantIdError, UnknownApiKeyError
from shopcrew.memory import RedisStore

__all__ = [
    "KEY_PREFIX",
    "MERCHANT_ID_PATTERN",
    "ApiKeyRecord",
    "ApiKeyStore",
    "FileApiKeyStore",
    "InMemoryApiKeyStore",
    "IssuedKey",
    "RedisApiKeyStore",
    "check_merchant_id",
    "hash_key",
]

KEY_PREFIX: Final = "sck"
"""Every key starts with `sck_`, so a leaked one is easy to grep for."""

MERCHANT_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
"""Merchant ids name Redis keys and thread ids: letters, digits, '-' and '_'."""

_KEYS_NAMESPACE: Final = ("apikeys",)
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def check_merchant_id(merchant_id: str) -> str:
    """Return `merchant_id` if it can name keys and threads.

    Raises:
        InvalidMerchantIdError: It cannot.
    """
    if not re.fullmatch(MERCHANT_ID_PATTERN, merchant_id):
        raise InvalidMerchantIdError(merchant_id)
    return merchant_id


def hash_key(key: str) -> str:
    """The SHA-256 (hex) kept in place of a key; a 256-bit random secret needs no slow hash."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _key_id_of(key: str) -> str | None:
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not _KEY_ID.match(key_id) or not secret:
        return None
    return key_id


class ApiKeyRecord(BaseModel):
    """What is kept of a key: never the key itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="Public id, part of the key.")
    merchant_id: str = Field(pattern=MERCHANT_ID_PATTERN, description="Whose data the key opens.")
    key_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the key, hex.")
    created_at: AwareDatetime
    label: str = Field(default="", description="A note for people, e.g. who holds the key.")

    def matches(self, key: str) -> bool:
        """Whether `key` is this record's key (constant-time comparison of the hashes)."""
        return hmac.compare_digest(self.key_hash, hash_key(key))


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created: the only time the key itself is known."""

    record: ApiKeyRecord
    key: str = field(repr=False)


def _issue(merchant_id: str, label: str) -> IssuedKey:
    key_id = secrets.token_hex(8)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKeyRecord(
        key_id=key_id,
        merchant_id=check_merchant_id(merchant_id),
        key_hash=hash_key(key),
        created_at=datetime.now(UTC),
        label=label,
    )
    return IssuedKey(record=record, key=key)


class ApiKeyStore(Protocol):
    """Where API key records live; the service authenticates every request with `averify`."""

    def create(self, merchant_id: str, *, label: str = "") -> IssuedKey:
        """Issue a new key for `merchant_id` and keep its record.

        Raises:
            InvalidMerchantIdError: The merchant id cannot name keys.
        """
        ...

    def records(self, *, merchant_id: str | None = None) -> list[ApiKeyRecord]:
        """Every record (of one merchant, when given), oldest first."""
        ...

    def revoke(self, key_id: str) -> ApiKeyRecord:
        """Delete a key's record; requests with that key fail from now on.

        Raises:
            UnknownApiKeyError: No such key.
        """
        ...

    def verify(self, key: str) -> ApiKeyRecord | None:
        """The record of `key`, or None when it is not a live key."""
        ...

    async def averify(self, key: str) -> ApiKeyRecord | None:
        """Async twin of `verify`."""
        ...

    async def aping(self) -> None:
        """Raise if the backend cannot be reached (health checks)."""
        ...

    def close(self) -> None:
        """Release the clients the store opened."""
        ...

    async def aclose(self) -> None:
        """Release the sync and async clients the store opened."""
        ...


def _sorted(records: list[ApiKeyRecord], merchant_id: str | None) -> list[ApiKeyRecord]:
    chosen = [r for r in records if merchant_id is None or r.merchant_id == merchant_id]
    return sorted(chosen, key=lambda r: (r.created_at, r.key_id))


class _StoreKeys(Closing):
    """Key records in a LangGraph `BaseStore`, under the namespace `("apikeys",)`."""

    def __init__(self, store: BaseStore) -> None:
        self.store = store

    def create(self, merchant_id: str, *, label: str = "") -> IssuedKey:
        """Issue a key for `merchant_id` (see `ApiKeyStore.create`)."""
        issued = _issue(merchant_id, label)
        value = issued.record.model_dump(mode="json")
        self.store.put(_KEYS_NAMESPACE, issued.record.key_id, value, index=False)
        return issued

    def records(self, *, merchant_id: str | None = None) -> list[ApiKeyRecord]:
        """Every record (of one merchant), oldest first."""
        found: list[ApiKeyRecord] = []
        while True:
            page = self.store.search(_KEYS_NAMESPACE, limit=100, offset=len(found))
            found += [ApiKeyRecord.model_validate(item.value) for item in page]
            if len(page) < 100:
                return _sorted(found, merchant_id)

    def revoke(self, key_id: str) -> ApiKeyRecord:
        """Delete a key's record (`UnknownApiKeyError` if none)."""
        item = self.store.get(_KEYS_NAMESPACE, key_id)
        if item is None:
            raise UnknownApiKeyError(key_id)
        self.store.delete(_KEYS_NAMESPACE, key_id)
        return ApiKeyRecord.model_validate(item.value)

    def verify(self, key: str) -> ApiKeyRecord | None:
        """The record of `key`, or None."""
        key_id = _key_id_of(key)
        item = None if key_id is None else self.store.get(_KEYS_NAMESPACE, key_id)
        return _checked(None if item is None else item.value, key)

    async def averify(self, key: str) -> ApiKeyRecord | None:
        """Async twin of `verify`."""
        key_id = _key_id_of(key)
        item = None if key_id is None else await self.store.aget(_KEYS_NAMESPACE, key_id)
        return _checked(None if item is None else item.value, key)

    async def aping(self) -> None:
        """Raise if the backend cannot be reached."""
        await self.store.aget(_KEYS_NAMESPACE, "ping")

    def close(self) -> None:
        """Nothing to close for a store the caller owns."""


def _checked(value: object, key: str) -> ApiKeyRecord | None:
    if value is None:
        return None
    record = ApiKeyRecord.model_validate(value)
    return record if record.matches(key) else None


class InMemoryApiKeyStore(_StoreKeys):
    """Keys of this process only (tests, a single embedded server)."""

    def __init__(self) -> None:
        super().__init__(InMemoryStore())


class RedisApiKeyStore(_StoreKeys):
    """Keys in Redis, shared by every server and CLI of one deployment.

    Records live in a `RedisStore` of namespace `<namespace>:_apikeys` (merchant ids cannot
    start with '_', so no merchant's memory shares it).
    """

    def __init__(self, store: RedisStore) -> None:
        super().__init__(store)
        self._redis = store

    @classmethod
    def from_url(cls, url: str, *, namespace: str = "shopcrew") -> RedisApiKeyStore:
        """Open the key records of the deployment `namespace` at `url` (owns its clients)."""
        return cls(RedisStore.from_url(url, namespace=f"{namespace}:_apikeys"))

    def close(self) -> None:
        """Close the sync client."""
        self._redis.close()

    async def aclose(self) -> None:
        """Close both clients."""
        await self._redis.aclose()


class FileApiKeyStore(Closing):
    """Keys in a JSON file (mode 0600), for a deployment without Redis.

    Every read goes to the file (cached by modification time), so keys created or revoked
    by `shopcrew keys` while the server runs take effect at once. Writes hold an exclusive
    lock on `<file>.lock` and replace the file atomically.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._cache: tuple[int, dict[str, ApiKeyRecord]] | None = None

    def create(self, merchant_id: str, *, label: str = "") -> IssuedKey:
        """Issue a key for `merchant_id` (see `ApiKeyStore.create`)."""
        issued = _issue(merchant_id, label)
        with self._locked() as records:
            records[issued.record.key_id] = issued.record
        return issued

    def records(self, *, merchant_id: str | None = None) -> list[ApiKeyRecord]:
        """Every record (of one merchant), oldest first."""
        return _sorted(list(self._read().values()), merchant_id)

    def revoke(self, key_id: str) -> ApiKeyRecord:
        """Delete a key's record (`UnknownApiKeyError` if none)."""
        with self._locked() as records:
            if key_id not in records:
                raise UnknownApiKeyError(key_id)
            return records.pop(key_id)

    def verify(self, key: str) -> ApiKeyRecord | None:
        """The record of `key`, or None."""
        key_id = _key_id_of(key)
        record = None if key_id is None else self._read().get(key_id)
        return record if record is not None and record.matches(key) else None

    async def averify(self, key: str) -> ApiKeyRecord | None:
        """Async twin of `verify`."""
        return await asyncio.to_thread(self.verify, key)

    async def aping(self) -> None:
        """Raise if the backend cannot be reached."""
        await asyncio.to_thread(self._read)

    def close(self) -> None:
        """Nothing to close."""

    def _read(self) -> dict[str, ApiKeyRecord]:
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return {}
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        raw = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        records = {k: ApiKeyRecord.model_validate(v) for k, v in raw.get("keys", {}).items()}
        self._cache = (stamp, records)
        return records

    @contextmanager
    def _locked(self) -> Iterator[dict[str, ApiKeyRecord]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._cache = None
            records = dict(self._read())
            yield records
            data = {"keys": {k: r.model_dump(mode="json") for k, r in records.items()}}
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1)
            os.replace(tmp, self.path)
            self._cache = None
