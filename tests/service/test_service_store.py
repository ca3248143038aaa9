"""A server that cannot load its store refuses to start; `/healthz` reports the store files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shopcrew.data import store_dir as bundled_store
from shopcrew.errors import StoreFileError
from shopcrew.models import resolve_model
from shopcrew.service import InMemoryApiKeyStore, create_app
from shopcrew.service.stores import check_store_dir


def _health(app: object) -> httpx.Response:
    import asyncio

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://shopcrew") as client:
            return await client.get("/healthz")

    return asyncio.run(get())


def test_a_directory_without_a_store_is_refused_naming_what_it_needs(tmp_path: Path) -> None:
    with pytest.raises(StoreFileError) as caught:
        check_store_dir(tmp_path / "stores")
    assert str(caught.value) == (
        f"{tmp_path / 'stores'}: no store here: a store directory holds orders.json, "
        "products.json, users.json (in DIR for every merchant, or in DIR/<merchant>/); leave "
        "out --store-dir to serve the bundled demo store. Fix the file and load it again; "
        "nothing was loaded."
    )


def test_a_store_per_merchant_is_found_and_a_broken_one_refused(tmp_path: Path) -> None:
    shutil.copytree(bundled_store(), tmp_path / "acme")
    assert check_store_dir(tmp_path) == [tmp_path / "acme"]
    shutil.copytree(bundled_store(), tmp_path / "globex")
    (tmp_path / "globex" / "users.json").write_text("{", encoding="utf-8")
    with pytest.raises(StoreFileError, match=r"globex/users\.json"):
        check_store_dir(tmp_path)


def test_healthz_reports_the_bundled_store_and_a_store_whose_files_went_away(
    tmp_path: Path,
) -> None:
    default = create_app(model=resolve_model("rules"), keys=InMemoryApiKeyStore())
    response = _health(default)
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "redis": "not configured", "store": "ok"},
    )
    shutil.copytree(bundled_store(), tmp_path / "store")
    dirs = check_store_dir(tmp_path / "store")
    app = create_app(
        model=resolve_model("rules"),
        keys=InMemoryApiKeyStore(),
        store_dir_for=lambda merchant: tmp_path / "store",
        store_dirs=dirs,
    )
    (tmp_path / "store" / "orders.json").unlink()
    response = _health(app)
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "redis": "not configured", "store": "unavailable"},
    )


@pytest.mark.slow  # a CLI process
def test_serve_with_a_store_dir_that_holds_no_store_exits_before_listening(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from shopcrew.cli import main; main()", "serve", "--port", "1",
         "--store-dir", "./stores"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: StoreFileError: stores: no store here")
    assert "serving" not in done.stderr
