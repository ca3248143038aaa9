"""API key stores: keys shown once, kept hashed, verified, listed and revoked; the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
from redis import Redis

import shopcrew.service
from shopcrew.errors import InvalidMerchantIdError, UnknownApiKeyError
from shopcrew.service import ApiKeyStore, FileApiKeyStore, InMemoryApiKeyStore, RedisApiKeyStore


@pytest.fixture(params=["memory", "file", "redis"])
async def keys(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ApiKeyStore]:
    if request.param == "memory":
        yield InMemoryApiKeyStore()
    elif request.param == "file":
        yield FileApiKeyStore(tmp_path / "keys" / "api_keys.json")
    else:
        url = request.getfixturevalue("redis_url")
        store = RedisApiKeyStore.from_url(url, namespace=request.getfixturevalue("namespace"))
        yield store
        await store.aclose()


async def test_a_key_opens_its_merchant_until_revoked(keys: ApiKeyStore) -> None:
    first = keys.create("acme", label="ops")
    other = keys.create("globex")
    assert first.key.startswith(f"sck_{first.record.key_id}_") and len(first.key) > 40
    assert keys.verify(first.key) == first.record
    assert await keys.averify(other.key) == other.record
    assert first.record.merchant_id == "acme" and first.record.label == "ops"
    assert keys.records(merchant_id="acme") == [first.record]
    assert {r.key_id for r in keys.records()} == {first.record.key_id, other.record.key_id}
    tampered = first.key[:-1] + ("a" if first.key[-1] != "a" else "b")
    for wrong in (
        tampered,
        "",
        "sck_",
        "Bearer x",
        other.key.replace(other.record.key_id, first.record.key_id),
    ):
        assert keys.verify(wrong) is None
        assert await keys.averify(wrong) is None
    assert keys.revoke(first.record.key_id) == first.record
    assert keys.verify(first.key) is None
    assert keys.verify(other.key) == other.record
    with pytest.raises(UnknownApiKeyError, match=first.record.key_id):
        keys.revoke(first.record.key_id)


@pytest.mark.parametrize("merchant", ["", "a b", "_hidden", "x" * 65, "a/b", "a:b"])
def test_a_merchant_id_that_cannot_name_keys_is_refused(keys: ApiKeyStore, merchant: str) -> None:
    with pytest.raises(InvalidMerchantIdError, match="letters, digits"):
        keys.create(merchant)
    assert keys.records() == []


def test_the_file_keeps_only_hashes_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "api_keys.json"
    issued = FileApiKeyStore(path).create("acme")
    text = path.read_text()
    assert issued.record.key_hash in text and issued.key.split("_", 2)[2] not in text
    assert path.stat().st_mode & 0o777 == 0o600
    assert FileApiKeyStore(path).verify(issued.key) == issued.record


def test_redis_keeps_only_hashes(redis_url: str, namespace: str) -> None:
    with RedisApiKeyStore.from_url(redis_url, namespace=namespace) as keys:
        issued = keys.create("acme")
    with Redis.from_url(redis_url) as client:
        names = list(client.scan_iter(f"*{namespace}*"))
        dumped = b"".join(client.dump(name) or b"" for name in names)
    assert names and all(f"{{{namespace}:_apikeys}}:".encode() in name for name in names)
    assert issued.key.split("_", 2)[2].encode() not in dumped


def _shopcrew(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from shopcrew.cli import main; main()", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow  # CLI processes
def test_the_cli_creates_lists_and_revokes_keys_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    created = _shopcrew("keys", "create", "--merchant", "acme", "--keys-file", path)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    record = FileApiKeyStore(path).verify(key)
    assert record is not None and record.merchant_id == "acme"
    assert "not shown" in created.stderr
    listed = _shopcrew("keys", "list", "--keys-file", path)
    assert listed.stdout.split()[:2] == [record.key_id, "acme"] and key not in listed.stdout
    refused = _shopcrew("keys", "create", "--merchant", "a b", "--keys-file", path)
    assert refused.returncode == 1 and "InvalidMerchantIdError" in refused.stderr
    assert _shopcrew("keys", "revoke", record.key_id, "--keys-file", path).returncode == 0
    assert FileApiKeyStore(path).verify(key) is None
    again = _shopcrew("keys", "revoke", record.key_id, "--keys-file", path)
    assert again.returncode == 1 and "UnknownApiKeyError" in again.stderr


@pytest.mark.parametrize("package", [shopcrew.service])
def test_all_lists_every_public_name(package: ModuleType) -> None:
    public = {name for name in package.__all__ if not name.startswith("_")}
    assert sorted(package.__all__) == sorted(public)
    for name in package.__all__:
        assert getattr(package, name) is not None
    assert sorted(dir(package)) == sorted(package.__all__)
