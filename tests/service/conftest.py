"""Fixtures of the service tests: apps over in-memory or Redis memory, keys, ASGI clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from support.merchant_store import build_store_dir

from shopcrew.agents.policy import Policy
from shopcrew.models import resolve_model
from shopcrew.service import ApiKeyStore, InMemoryApiKeyStore, RedisApiKeyStore, create_app
from shopcrew.tools.adapters import Adapters

EVERY_MOVE = Policy(budget_move_threshold=0.0)
"""Every budget move waits for a person: a budget review always asks for approval."""


@pytest.fixture
def store_dir(tmp_path: Path, tau_dir: Path) -> Path:
    """The τ-bench db plus four dev listings and one dev market's first three campaigns."""
    return build_store_dir(tmp_path / "store", tau_dir, listings=4)


@dataclass
class Service:
    """An app under test, its key store, and a client factory per API key."""

    app: FastAPI
    keys: ApiKeyStore
    backend: str

    def client(self, key: str | None = None, *, header: str = "bearer") -> httpx.AsyncClient:
        headers: dict[str, str] = {}
        if key is not None:
            headers = (
                {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
            )
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://shopcrew", headers=headers)

    def key(self, merchant_id: str) -> str:
        return self.keys.create(merchant_id).key


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_service(
    request: pytest.FixtureRequest, store_dir: Path
) -> AsyncIterator[Callable[..., Service]]:
    """Build services; each merchant gets its own copy of the test store."""
    built: list[Service] = []

    def make(backend: str = "memory", **options: object) -> Service:
        redis_url: str | None = None
        namespace = "shopcrew"
        keys: ApiKeyStore
        if backend == "redis":
            redis_url = str(request.getfixturevalue("redis_url"))
            namespace = str(request.getfixturevalue("namespace"))
            keys = RedisApiKeyStore.from_url(redis_url, namespace=namespace)
        else:
            keys = InMemoryApiKeyStore()
        app = create_app(
            model=resolve_model("rules"),
            keys=keys,
            redis_url=redis_url,
            namespace=namespace,
            adapters_for=lambda merchant: Adapters.from_store_dir(store_dir, merchant_id=merchant),
            policy_for=lambda merchant: EVERY_MOVE,
            **options,  # type: ignore[arg-type]
        )
        service = Service(app=app, keys=keys, backend=backend)
        built.append(service)
        return service

    yield make
    for service in built:
        await service.app.state.crews.aclose()
        if isinstance(service.keys, RedisApiKeyStore):
            await service.keys.aclose()


@pytest.fixture
def service(make_service: Callable[..., Service], backend: str) -> Service:
    """The app, in memory and over Redis."""
    return make_service(backend)
