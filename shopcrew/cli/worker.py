"""`shopcrew worker`, `enqueue`, `conversation`: crew events on Redis Streams, and the replies."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from shopcrew.cli._app import app, err_console, out_console
from shopcrew.cli._options import ModelOption, NamespaceOption

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from shopcrew.tools.adapters import Adapters
    from shopcrew.workers import Lane, Worker, WorkerStats

__all__ = ["conversation", "enqueue", "worker"]

logger = logging.getLogger(__name__)

# Workers need Redis: unlike `serve`'s, this --redis has no in-memory fallback.
WorkerRedisOption = Annotated[
    str | None,
    typer.Option(
        "--redis", help="Redis URL (redis://, rediss://, redis+cluster://); default: REDIS_URL."
    ),
]
StreamOption = Annotated[str, typer.Option("--stream", help="The event stream's name.")]
MerchantOption = Annotated[str, typer.Option("--merchant", help="The merchant.")]


def _redis_url(redis: str | None) -> str:
    from shopcrew.settings import load_settings

    url = redis or load_settings().redis_url
    if not url:
        raise typer.BadParameter("workers need Redis: pass --redis URL or set REDIS_URL")
    return url


@app.command("worker")
def worker(
    redis: WorkerRedisOption = None,
    merchant: Annotated[
        list[str] | None, typer.Option("--merchant", help="A merchant to serve (repeatable).")
    ] = None,
    stream: StreamOption = "events",
    group: Annotated[str, typer.Option("--group", help="The consumer group.")] = "crew",
    consumer: Annotated[
        str | None, typer.Option("--consumer", help="This worker's name; default host-pid.")
    ] = None,
    model: ModelOption = "rules",
    store_dir: Annotated[
        Path | None,
        typer.Option("--store-dir", help="The store's files; default: the reference store."),
    ] = None,
    namespace: NamespaceOption = "shopcrew",
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", help="Attempts before the dead-letter stream.")
    ] = 5,
    min_idle_ms: Annotated[
        int, typer.Option("--min-idle-ms", help="Silence after which an entry is taken over.")
    ] = 10_000,
    lease_ms: Annotated[int, typer.Option("--lease-ms", help="A thread's lease.")] = 10_000,
    platform_mcp: Annotated[
        str | None,
        typer.Option(
            "--platform-mcp",
            help="The platform's MCP server (URL) for orders, customers, the catalogue (and "
            "ads, if its table maps them); "
            "default: SHOPCREW_PLATFORM_MCP_URL, else the store's files.",
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help="The platform's mapping table: a bundled name or a YAML file; default: "
            "SHOPCREW_PLATFORM, else 'reference'.",
        ),
    ] = None,
) -> None:
    """Consume crew events until SIGTERM/SIGINT (the event in hand finishes first)."""
    from shopcrew.memory._redis import sync_client
    from shopcrew.models.factory import resolve_model
    from shopcrew.workers import Worker, WorkerSettings, default_consumer

    # Handlers first: a SIGTERM while the crews are still being built also exits 0.
    stopping: list[Worker] = []
    requested = _stop_on_signals(stopping)
    url = _redis_url(redis)
    merchants = merchant or ["default"]
    chat = resolve_model(model)
    consumer = consumer or default_consumer()
    settings = WorkerSettings(
        group=group,
        consumer=consumer,
        max_attempts=max_attempts,
        min_idle_ms=min_idle_ms,
        lease_ms=lease_ms,
    )
    lanes = _open_lanes(
        url,
        merchants,
        model=chat,
        namespace=namespace,
        stream=stream,
        store_dir=store_dir,
        platform=_platform(platform_mcp, platform),
    )
    client = sync_client(url)
    running = Worker(client, lanes, settings=settings)
    stopping.append(running)
    if requested.is_set():
        running.stop()
    served = ", ".join(merchants)
    logger.warning("worker %s serving %s on stream %r (group %r)", consumer, served, stream, group)
    try:
        stats = running.run()
    finally:
        for lane in lanes:
            lane.close()
        client.close()
    _print_stats(settings.consumer, stats)


def _open_lanes(
    url: str,
    merchants: list[str],
    *,
    model: BaseChatModel,
    namespace: str,
    stream: str,
    store_dir: Path | None,
    platform: Callable[[Adapters], Adapters] | None,
) -> list[Lane]:
    """One lane per merchant: its crew, its stream and its keys."""
    from shopcrew.workers import open_lane

    return [
        open_lane(
            url,
            model=model,
            merchant_id=m,
            namespace=namespace,
            stream=stream,
            store_dir=store_dir,
            adapters=platform,
        )
        for m in merchants
    ]


def _platform(url: str | None, table: str | None) -> Callable[[Adapters], Adapters] | None:
    """Adapters on the platform's MCP server, when one is named (option or environment)."""
    from shopcrew.settings import load_settings

    env = load_settings()
    mcp_url, name = url or env.platform_mcp_url, table or env.platform
    if mcp_url is None:
        return None

    def on_platform(adapters: Adapters) -> Adapters:
        return adapters.with_platform_mcp(mcp_url, platform=name)

    return on_platform


def _print_stats(consumer: str, stats: WorkerStats) -> None:
    """The worker's counts, one JSON line on stdout."""
    counts = {
        "consumer": consumer,
        "processed": stats.processed,
        "dead_lettered": stats.dead_lettered,
        "retried": stats.retried,
        "reconnects": stats.reconnects,
    }
    out_console.print(json.dumps(counts))


def _stop_on_signals(stopping: list[Worker]) -> threading.Event:
    """Stop the workers of `stopping` on SIGTERM or SIGINT; the event says a signal came."""
    requested = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        logger.warning("signal %d: stopping after the event in hand", signum)
        requested.set()
        for running in stopping:
            running.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return requested


@app.command("enqueue")
def enqueue(
    events: Annotated[
        Path | None,
        typer.Argument(help="A JSONL file of events, one per line; '-' or none: stdin."),
    ] = None,
    redis: WorkerRedisOption = None,
    merchant: MerchantOption = "default",
    stream: StreamOption = "events",
    namespace: NamespaceOption = "shopcrew",
) -> None:
    """Validate events (JSON, one per line), then add them all to a merchant's stream."""
    from shopcrew.errors import InvalidEventError
    from shopcrew.memory._redis import sync_client
    from shopcrew.workers import EventQueue

    url = _redis_url(redis)
    source = sys.stdin if events is None or str(events) == "-" else None
    text = source.read() if source is not None else Path(str(events)).read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    from shopcrew.graphs.events import parse_event

    checked = []
    for number, line in lines:
        try:
            checked.append(parse_event(json.loads(line)))
        except ValueError as exc:
            problem = exc.problem if isinstance(exc, InvalidEventError) else f"not JSON ({exc})"
            raise InvalidEventError(f"line {number}: {problem}") from exc
    with sync_client(url) as client:
        queue = EventQueue(client, merchant_id=merchant, namespace=namespace, stream=stream)
        for event in checked:
            out_console.print(queue.enqueue(event))


@app.command("conversation")
def conversation(
    conversation_id: Annotated[str, typer.Argument(help="The event's conversation_id.")],
    redis: WorkerRedisOption = None,
    merchant: MerchantOption = "default",
    namespace: NamespaceOption = "shopcrew",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole thread state as JSON.")
    ] = False,
) -> None:
    """Print a conversation as the workers left it: the customer's and the agents' messages."""
    from langchain_core.runnables import RunnableConfig

    from shopcrew.graphs.events import CustomerMessage, thread_for
    from shopcrew.models import resolve_model
    from shopcrew.service._convert import thread_state
    from shopcrew.workers import open_lane

    event = CustomerMessage(conversation_id=conversation_id, text="-")
    thread_id = thread_for(event, merchant_id=merchant)
    lane = open_lane(
        _redis_url(redis), model=resolve_model("rules"), merchant_id=merchant, namespace=namespace
    )
    try:
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        snapshot = lane.crew.get_state(config, subgraphs=True)
    finally:
        lane.close()
    if snapshot.created_at is None:
        err_console.print(
            f"error: no conversation {conversation_id!r} of merchant {merchant!r} under "
            f"namespace {namespace!r} (has a worker run its first message yet?)",
            markup=False,
        )
        raise typer.Exit(1)
    state = thread_state(thread_id, snapshot)
    if as_json:
        out_console.print_json(state.model_dump_json())
        return
    for message in state.messages:
        if message.content and message.role in ("customer", "assistant", "human_agent"):
            out_console.print(f"{message.role}: {message.content}", markup=False)
    out_console.print(f"({state.status})", markup=False)
