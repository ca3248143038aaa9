"""The crew as an HTTP service: FastAPI app, per-merchant API keys, metrics, SSE."""

from shopcrew.service.app import DEFAULT_MAX_BODY_BYTES, create_app
from shopcrew.service.crews import CrewRegistry, MerchantCrew
from shopcrew.service.errors import (
    AuthenticationError,
    InvalidMerchantIdError,
    ServiceError,
    StaleEscalationError,
    UnknownApiKeyError,
    UnknownEscalationError,
    UnknownThreadError,
)
from shopcrew.service.keys import (
    ApiKeyRecord,
    ApiKeyStore,
    FileApiKeyStore,
    InMemoryApiKeyStore,
    IssuedKey,
    RedisApiKeyStore,
)
from shopcrew.service.metrics import ServiceMetrics

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ApiKeyRecord",
    "ApiKeyStore",
    "AuthenticationError",
    "CrewRegistry",
    "FileApiKeyStore",
    "InMemoryApiKeyStore",
    "InvalidMerchantIdError",
    "IssuedKey",
    "MerchantCrew",
    "RedisApiKeyStore",
    "ServiceError",
    "ServiceMetrics",
    "StaleEscalationError",
    "UnknownApiKeyError",
    "UnknownEscalationError",
    "UnknownThreadError",
    "create_app",
]
