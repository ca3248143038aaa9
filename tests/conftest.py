"""Shared fixtures: the real Redis server, unique namespaces, the reference data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import uuid4

import pytest
from langchain_openai.chat_models.base import BaseChatOpenAI
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

REDIS_URL = os.environ.get("SHOPCREW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHOPCREW_SHARED", ROOT.parent / "shared"))
TAU_DIR = SHARED / "tau-retail"
EVAL_DIR = SHARED / "eval"


def _redis_answers() -> bool:
    try:
        with Redis.from_url(REDIS_URL, socket_connect_timeout=1) as client:
            return bool(client.ping())
    except RedisConnectionError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a real Redis server; skips (or fails under REQUIRE_REDIS=1) when none answers."""
    if not _redis_answers():
        message = f"no Redis server answers at {REDIS_URL}"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"{message}, and REQUIRE_REDIS=1")
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def namespace(redis_url: str) -> Iterator[str]:
    """A unique key namespace; its keys are deleted after the test."""
    name = f"test-{uuid4().hex[:12]}"
    yield name
    with Redis.from_url(redis_url) as client:
        for key in client.scan_iter(f"*{name}*", count=1000):
            client.delete(key)


@pytest.fixture(scope="session")
def tau_dir() -> Path:
    """The τ-bench retail data of ../shared."""
    if not TAU_DIR.is_dir():
        pytest.fail(f"{TAU_DIR} is missing: the tests need ../shared beside the repository")
    return TAU_DIR


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _is_loopback(model: BaseChatOpenAI) -> bool:
    return urlparse(model.openai_api_base or "").hostname in LOOPBACK_HOSTS


@pytest.fixture(autouse=True)
def forbid_remote_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any ChatOpenAI call to a non-loopback endpoint fail the test."""
    for method in ("_generate", "_agenerate", "_stream", "_astream"):
        original = getattr(BaseChatOpenAI, method)

        def guarded(
            self: BaseChatOpenAI, *args: Any, _original: Any = original, **kwargs: Any
        ) -> Any:
            if not _is_loopback(self):
                pytest.fail(f"a test called a real model endpoint: {self.openai_api_base!r}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(BaseChatOpenAI, method, guarded)
