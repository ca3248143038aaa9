"""The crew as an HTTP service: FastAPI app, per-merchant API keys, metrics, SSE.

Names load on first use, as in `shopcrew`: `shopcrew keys ...` needs the key stores only,
not FastAPI and the crew's graphs.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from shopcrew.service.app import DEFAULT_MAX_BODY_BYTES, build_crews, create_app
    from shopcrew.service.crews import DEFAULT_MAX_CREWS, CrewRegistry, MerchantCrew
    from shopcrew.service.keys import (
        ApiKeyRecord,
        ApiKeyStore,
        FileApiKeyStore,
        InMemoryApiKeyStore,
        IssuedKey,
        RedisApiKeyStore,
    )
    from shopcrew.service.metrics import ServiceMetrics

_LAZY = {
    "DEFAULT_MAX_BODY_BYTES": "shopcrew.service.app",
    "build_crews": "shopcrew.service.app",
    "create_app": "shopcrew.service.app",
    "DEFAULT_MAX_CREWS": "shopcrew.service.crews",
    "CrewRegistry": "shopcrew.service.crews",
    "MerchantCrew": "shopcrew.service.crews",
    "ApiKeyRecord": "shopcrew.service.keys",
    "ApiKeyStore": "shopcrew.service.keys",
    "FileApiKeyStore": "shopcrew.service.keys",
    "InMemoryApiKeyStore": "shopcrew.service.keys",
    "IssuedKey": "shopcrew.service.keys",
    "RedisApiKeyStore": "shopcrew.service.keys",
    "ServiceMetrics": "shopcrew.service.metrics",
}

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CREWS",
    "ApiKeyRecord",
    "ApiKeyStore",
    "CrewRegistry",
    "FileApiKeyStore",
    "InMemoryApiKeyStore",
    "IssuedKey",
    "MerchantCrew",
    "RedisApiKeyStore",
    "ServiceMetrics",
    "build_crews",
    "create_app",
]


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'shopcrew.service' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
