"""`shopcrew serve` on a platform's MCP server: the crew reads and writes the platform's orders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.platform_server import PlatformServer
from typer.testing import CliRunner

from shopcrew.cli import app
from shopcrew.errors import PlatformTableError
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.reference.store import RetailStore
from tests.service.conftest import Service


@pytest.fixture
def platform(tmp_path: Path, tau_dir: Path) -> Iterator[PlatformServer]:
    (tmp_path / "platform").mkdir()
    server = PlatformServer(tmp_path / "platform", tau_dir / "db")
    yield server
    server.stop()


def _pending_order(tau_dir: Path) -> tuple[str, str]:
    store = RetailStore.load(tau_dir / "db")
    users = dict(store.items("users"))
    return next(
        (users[order["user_id"]]["email"], order_id)
        for order_id, order in store.items("orders")
        if order["status"] == "pending"
    )


async def test_a_cancellation_through_the_service_is_written_on_the_platform_once(
    make_service: Callable[..., Service], platform: PlatformServer, tau_dir: Path
) -> None:
    url = platform.start()
    service = make_service(platform=lambda adapters: adapters.with_platform_mcp(url))
    email, order_id = _pending_order(tau_dir)
    key = service.key("acme")
    async with service.client(key) as client:
        text = f"Hi, my email is {email}. Please cancel {order_id}, I ordered it by mistake."
        proposal = await client.post("/v1/conversations/p1/messages", json={"text": text})
        assert proposal.status_code == 200, proposal.text
        assert order_id in proposal.json()["reply"]
        done = await client.post("/v1/conversations/p1/messages", json={"text": "yes"})
        assert done.status_code == 200, done.text
    assert platform.journaled() == ["order_cancel"]
    # the merchant's own files were not the ones written
    files = Adapters.reference(merchant_id="acme")
    assert files.orders.get_order(order_id).status == "pending"


@pytest.mark.parametrize("command", ["serve", "mcp"])
def test_serve_and_mcp_refuse_an_unknown_platform_table_before_they_start(command: str) -> None:
    result = CliRunner().invoke(
        app, [command, "--platform-mcp", "http://127.0.0.1:9/mcp", "--platform", "shopify"]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, PlatformTableError)
    assert "bundled: reference" in str(result.exception)
