"""`shopcrew serve` (the HTTP service) and `shopcrew keys ...` (its per-merchant API keys)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopcrew.cli._app import app, err_console, out_console
from shopcrew.cli._options import (
    DEFAULT_KEYS_FILE,
    KeysFileOption,
    ModelOption,
    NamespaceOption,
    PolicyOption,
    RedisOption,
    StoreDirOption,
)

__all__ = [
    "key_store",
    "keys_app",
    "keys_create",
    "keys_list",
    "keys_revoke",
    "read_policy",
    "redis_url_of",
    "serve",
    "store_dir_for",
]

logger = logging.getLogger(__name__)

keys_app = typer.Typer(
    help="API keys of the HTTP service: one merchant per key, stored hashed.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")

if TYPE_CHECKING:  # imported in the commands: the service's import cost stays out of --help
    from shopcrew.agents.policy import Policy
    from shopcrew.service.keys import ApiKeyStore


def redis_url_of(redis: str | None) -> str | None:
    """The Redis URL of `--redis`, else of the settings (REDIS_URL); None without one."""
    from shopcrew.settings import load_settings

    return redis if redis is not None else load_settings().redis_url


def read_policy(path: Path | None) -> Policy:
    """The merchant `Policy` of a JSON file (the defaults without one)."""
    from shopcrew.agents.policy import Policy

    return Policy.model_validate_json(path.read_text(encoding="utf-8")) if path else Policy()


def key_store(redis: str | None, namespace: str, keys_file: Path) -> ApiKeyStore:
    """The API keys: in Redis when one is configured, else in `keys_file`."""
    from shopcrew.service.keys import FileApiKeyStore, RedisApiKeyStore

    url = redis_url_of(redis)
    if url:
        return RedisApiKeyStore.from_url(url, namespace=namespace)
    return FileApiKeyStore(keys_file)


@keys_app.command("create")
def keys_create(
    merchant: Annotated[str, typer.Option("--merchant", help="The merchant the key opens.")],
    label: Annotated[str, typer.Option("--label", help="A note: who holds the key.")] = "",
    redis: RedisOption = None,
    namespace: NamespaceOption = "shopcrew",
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
) -> None:
    """Create a key for a merchant and print it: it is shown this once, then kept hashed."""
    keys = key_store(redis, namespace, keys_file)
    try:
        issued = keys.create(merchant, label=label)
    finally:
        keys.close()
    out_console.print(issued.key, markup=False)
    err_console.print(
        f"key {issued.record.key_id} for merchant {merchant!r}: store it now, it is not shown "
        "again (send it as `Authorization: Bearer <key>`)",
        markup=False,
    )


@keys_app.command("list")
def keys_list(
    merchant: Annotated[
        str | None, typer.Option("--merchant", help="Only this merchant's keys.")
    ] = None,
    redis: RedisOption = None,
    namespace: NamespaceOption = "shopcrew",
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
) -> None:
    """List key ids, merchants and creation times (never the keys)."""
    keys = key_store(redis, namespace, keys_file)
    try:
        records = keys.records(merchant_id=merchant)
    finally:
        keys.close()
    for record in records:
        created = record.created_at.isoformat(timespec="seconds")
        line = f"{record.key_id}  {record.merchant_id}  {created}  {record.label}".rstrip()
        out_console.print(line, markup=False)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id, as `shopcrew keys list` shows.")],
    redis: RedisOption = None,
    namespace: NamespaceOption = "shopcrew",
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
) -> None:
    """Revoke a key: requests with it get a 401 from now on."""
    keys = key_store(redis, namespace, keys_file)
    try:
        record = keys.revoke(key_id)
    finally:
        keys.close()
    out_console.print(f"revoked {record.key_id} ({record.merchant_id})", markup=False)


def store_dir_for(store_dir: Path | None) -> Callable[[str], Path] | None:
    """DIR/<merchant>/ when it holds a store, else DIR (each merchant's own copy of it)."""
    if store_dir is None:
        return None
    root = store_dir

    def store_dir_for(merchant_id: str) -> Path:
        own = root / merchant_id
        return own if (own / "orders.json").is_file() else root

    return store_dir_for


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    redis: RedisOption = None,
    namespace: NamespaceOption = "shopcrew",
    model: ModelOption = "rules",
    store_dir: StoreDirOption = None,
    policy: PolicyOption = None,
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
    max_body_bytes: Annotated[
        int, typer.Option("--max-body-bytes", help="Larger request bodies get a 413.", min=0)
    ] = 64 * 1024,
    max_crews: Annotated[
        int | None,
        typer.Option(
            "--max-crews",
            help="Merchants whose crews stay built at once (default 32); the least recently "
            "used is dropped, its state stays in memory or Redis.",
            min=1,
        ),
    ] = None,
) -> None:
    """Serve the crew over HTTP: one crew per merchant, chosen by the request's API key.

    A --store-dir that holds no store is refused at start.
    """
    import uvicorn

    from shopcrew.models import resolve_model
    from shopcrew.service import DEFAULT_MAX_CREWS, create_app
    from shopcrew.service.stores import check_store_dir

    # A store that cannot load would turn every message into an error: refuse to start.
    store_dirs = check_store_dir(store_dir) if store_dir is not None else None
    url = redis_url_of(redis)
    merchant_policy = read_policy(policy)
    keys = key_store(redis, namespace, keys_file)
    application = create_app(
        model=resolve_model(model),
        keys=keys,
        redis_url=url,
        namespace=namespace,
        store_dir_for=store_dir_for(store_dir),
        policy_for=lambda merchant: merchant_policy,
        max_body_bytes=max_body_bytes,
        max_crews=DEFAULT_MAX_CREWS if max_crews is None else max_crews,
        store_dirs=store_dirs,
    )
    where = "Redis" if url else f"memory (keys in {keys_file})"
    err_console.print(f"shopcrew serving on http://{host}:{port} with {where}", markup=False)
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        keys.close()
