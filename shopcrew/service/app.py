"""`create_app`: the FastAPI app that serves the crew to many merchants over HTTP."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from langchain_core.language_models import BaseChatModel
from starlette.exceptions import HTTPException

from shopcrew.agents.policy import Policy
from shopcrew.errors import AuthenticationError, ShopcrewError, ThreadBusyError
from shopcrew.memory import Memory, RedisStore, connect
from shopcrew.memory._redis import AsyncClient, SyncClient, async_client, sync_client
from shopcrew.service.crews import DEFAULT_MAX_CREWS, CrewRegistry
from shopcrew.service.errors import status_for
from shopcrew.service.keys import ApiKeyStore
from shopcrew.service.limits import BodyLimitMiddleware
from shopcrew.service.metrics import ServiceMetrics
from shopcrew.service.routes import build_router
from shopcrew.service.runs import CrewService
from shopcrew.service.schemas import Health
from shopcrew.service.stores import stores_present
from shopcrew.service.threads import DEFAULT_THREAD_WAIT_S, thread_ordering
from shopcrew.tools.adapters import REFERENCE_STORE_DIR, Adapters
from shopcrew.workers import StreamKeys, shared_adapters

__all__ = ["DEFAULT_MAX_BODY_BYTES", "StoreDir", "build_crews", "create_app"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 64 * 1024
"""Request bodies above this many bytes get a 413."""

StoreDir = str | os.PathLike[str]
"""A folder of a merchant's store files (τ-bench tables, optional listings, campaigns, kb)."""


def _shared_adapters(
    client: SyncClient, namespace: str, store_dir_for: Callable[[str], StoreDir | None] | None
) -> Callable[[str], Adapters]:
    """Each merchant's adapters over its shared state in Redis, which workers use too."""

    def adapters_for(merchant_id: str) -> Adapters:
        root = store_dir_for(merchant_id) if store_dir_for else None
        return shared_adapters(client, StreamKeys(namespace, merchant_id), store_dir=root)

    return adapters_for


def _file_adapters(store_dir_for: Callable[[str], StoreDir | None]) -> Callable[[str], Adapters]:
    """Each merchant's adapters over its JSON store (the reference one when None)."""

    def adapters_for(merchant_id: str) -> Adapters:
        root = store_dir_for(merchant_id)
        if root is None:
            return Adapters.reference(merchant_id=merchant_id)
        return Adapters.from_store_dir(root, merchant_id=merchant_id)

    return adapters_for


def create_app(
    *,
    model: BaseChatModel,
    keys: ApiKeyStore,
    redis_url: str | None = None,
    namespace: str = "shopcrew",
    memory_for: Callable[[str], Memory] | None = None,
    adapters_for: Callable[[str], Adapters] | None = None,
    store_dir_for: Callable[[str], StoreDir | None] | None = None,
    policy_for: Callable[[str], Policy] | None = None,
    max_crews: int = DEFAULT_MAX_CREWS,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    metrics: ServiceMetrics | None = None,
    thread_wait_s: float = DEFAULT_THREAD_WAIT_S,
    store_dirs: Sequence[StoreDir] | None = None,
) -> FastAPI:
    """Build the HTTP service: one crew per merchant, chosen by the request's API key.

    Args:
        model: The CS agent's chat model (`resolve_model("rules")` offline).
        keys: Where API keys are verified.
        redis_url: The Redis of the merchants' memory; `/healthz` pings it. In memory when
            None (each merchant still has its own memory).
        namespace: Key prefix of the deployment; merchant `m` lives under `<namespace>:m`.
        memory_for: The memory of a merchant, instead of `connect(redis_url, merchant_id=m,
            namespace=namespace)`; keep it namespaced by merchant.
        adapters_for: The adapters of a merchant, instead of the default ones: with Redis,
            adapters over the merchant's shared state there (the same as `shopcrew worker`
            uses: orders, customers, listings and campaigns change in Redis, each write
            committed once), else the JSON store of `store_dir_for`.
        store_dir_for: The store's files of a merchant, where its default adapters start
            from (None: the reference store).
        policy_for: The policy of a merchant; `Policy()` when omitted.
        max_crews: How many merchants' crews stay built at once; the least recently used one
            is dropped beyond that and built again on its next request (its state is in its
            memory, not in the crew).
        max_body_bytes: Larger request bodies get a 413.
        metrics: The Prometheus metrics; a fresh registry when omitted.
        thread_wait_s: How long a request waits while another run holds its thread (on
            this server, or with Redis on any server or worker) before a 503 with
            `Retry-After`.
        store_dirs: The store directories `/healthz` checks (`check_store_dir` finds them);
            the bundled reference store when the app builds its default adapters from it,
            none when omitted otherwise.

    Returns:
        The app; its lifespan closes the merchants' memory.
    """
    if store_dirs is None:
        default = adapters_for is None and store_dir_for is None
        store_dirs = [REFERENCE_STORE_DIR] if default else []
    crews, shared = build_crews(
        model=model,
        redis_url=redis_url,
        namespace=namespace,
        memory_for=memory_for,
        adapters_for=adapters_for,
        store_dir_for=store_dir_for,
        policy_for=policy_for,
        max_crews=max_crews,
    )
    service_metrics = metrics or ServiceMetrics()
    leases = async_client(redis_url) if redis_url else None
    app = _app(crews, keys=keys, metrics=service_metrics, shared=shared, leases=leases)
    gate, results = thread_ordering(leases, namespace=namespace, wait_s=thread_wait_s)
    service = CrewService(crews, service_metrics, gate=gate, results=results)
    app.include_router(build_router(service))
    _add_error_handlers(app, service_metrics)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)
    _add_ops_routes(
        app, service_metrics, redis_url=redis_url, namespace=namespace, store_dirs=store_dirs
    )
    return app


def build_crews(
    *,
    model: BaseChatModel,
    redis_url: str | None = None,
    namespace: str = "shopcrew",
    memory_for: Callable[[str], Memory] | None = None,
    adapters_for: Callable[[str], Adapters] | None = None,
    store_dir_for: Callable[[str], StoreDir | None] | None = None,
    policy_for: Callable[[str], Policy] | None = None,
    max_crews: int = DEFAULT_MAX_CREWS,
) -> tuple[CrewRegistry, SyncClient | None]:
    """The merchants' crews as `create_app` builds them (its arguments mean the same).

    Returns:
        The registry, and the Redis client of the shared adapters (None without Redis or
        with `adapters_for`): the caller closes both.
    """
    shared = sync_client(redis_url) if adapters_for is None and redis_url else None
    if shared is not None:
        adapters_for = _shared_adapters(shared, namespace, store_dir_for)
    elif adapters_for is None and store_dir_for is not None:
        adapters_for = _file_adapters(store_dir_for)
    crews = CrewRegistry(
        model=model,
        memory_for=memory_for or _default_memory(redis_url, namespace),
        adapters_for=adapters_for,
        policy_for=policy_for,
        max_crews=max_crews,
    )
    return crews, shared


def _app(
    crews: CrewRegistry,
    *,
    keys: ApiKeyStore,
    metrics: ServiceMetrics,
    shared: SyncClient | None,
    leases: AsyncClient | None,
) -> FastAPI:
    """The bare app, its state set; its lifespan closes the crews and the Redis clients."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await crews.aclose()
        if shared is not None:
            shared.close()
        if leases is not None:
            await leases.aclose()

    app = FastAPI(
        title="shopcrew",
        version="1",
        summary="AI digital employees for online merchants, one crew per merchant API key.",
        lifespan=lifespan,
    )
    app.state.crews = crews
    app.state.metrics = metrics
    app.state.api_keys = keys
    return app


def _default_memory(redis_url: str | None, namespace: str) -> Callable[[str], Memory]:
    """Each merchant's memory under `<namespace>:<merchant>` (in memory without a URL)."""
    url = redis_url or ""

    def memory_for(merchant_id: str) -> Memory:
        return connect(url, merchant_id=merchant_id, namespace=namespace)

    return memory_for


def _add_ops_routes(
    app: FastAPI,
    service_metrics: ServiceMetrics,
    *,
    redis_url: str | None,
    namespace: str,
    store_dirs: Sequence[StoreDir],
) -> None:
    """`/healthz` for the load balancer and `/metrics` for Prometheus."""

    @app.get("/healthz", response_model=Health, tags=["ops"], responses={503: {"model": Health}})
    async def healthz() -> Response:
        """200 when the service, its Redis (when configured) and its store files are there."""
        redis: Literal["ok", "unavailable", "not configured"] = "not configured"
        if redis_url:
            redis = "ok" if await _redis_answers(redis_url, namespace) else "unavailable"
        store: Literal["ok", "unavailable", "not checked"] = "not checked"
        if store_dirs:
            store = "ok" if stores_present(store_dirs) else "unavailable"
        down = "unavailable" in (redis, store)
        health = Health(status="unavailable" if down else "ok", redis=redis, store=store)
        return JSONResponse(health.model_dump(), status_code=200 if health.status == "ok" else 503)

    @app.get(
        "/metrics",
        tags=["ops"],
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics_text() -> Response:
        """Prometheus metrics: events, latency, approvals, escalations, errors."""
        return Response(
            service_metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )


async def _redis_answers(url: str, namespace: str) -> bool:
    """Whether the Redis at `url` answers a read (a client per check: checks are rare)."""
    try:
        async with RedisStore.from_url(url, namespace=f"{namespace}:_health") as store:
            await store.aget(("health",), "ping")
    except Exception as exc:
        logger.warning("health check: Redis unreachable: %s", type(exc).__name__)
        return False
    return True


def _error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": {"type": kind, "message": message, **extra}}
    return JSONResponse(body, status_code=status)


def _add_error_handlers(app: FastAPI, metrics: ServiceMetrics) -> None:
    def count(kind: str, status: int) -> None:
        metrics.errors.labels(kind, str(status)).inc()

    async def on_shopcrew_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ShopcrewError)
        status, kind = status_for(exc), type(exc).__name__
        count(kind, status)
        if status >= 500:
            logger.error("%s %s failed: %s", request.method, request.url.path, kind)
        response = _error(status, kind, str(exc))
        if isinstance(exc, AuthenticationError):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, ThreadBusyError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = jsonable_encoder(exc.errors(), exclude={"input", "url"})
        malformed = any(e.get("type") == "json_invalid" for e in errors)
        status = 400 if malformed else 422
        count("RequestValidationError", status)
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ())) or "request"
        message = f"{where}: {first.get('msg', 'invalid')}"
        if malformed:
            message = "The body is not valid JSON: " + message
        return _error(status, "RequestValidationError", message, details=errors)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = "BodyTooLargeError" if exc.status_code == 413 else "HTTPError"
        count(kind, exc.status_code)
        response = _error(exc.status_code, kind, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        count(type(exc).__name__, 500)
        logger.exception("%s %s failed", request.method, request.url.path)
        return _error(500, "InternalServerError", "The server failed; the error is logged.")

    app.add_exception_handler(ShopcrewError, on_shopcrew_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
