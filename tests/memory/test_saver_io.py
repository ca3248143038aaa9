"""RedisSaver's round trips: scripts the server lost, calls that share a request, errors."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from redis import Redis
from support.chat import chat_graph, turn
from support.redis_servers import RedisProcess

from shopcrew.errors import KeyTypeError
from shopcrew.memory.saver.redis import RedisSaver


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}


def _messages(tup: Any) -> list[str]:
    return [m.id for m in tup.checkpoint["channel_values"]["messages"]]


def test_scripts_the_server_lost_are_sent_again(private_redis: RedisProcess) -> None:
    thread = str(uuid4())
    with (
        RedisSaver.from_url(private_redis.url, namespace="io") as saver,
        private_redis.client() as admin,
    ):
        chat_graph(saver).invoke(turn(0), _config(thread))
        admin.script_flush()
        chat_graph(saver).invoke(turn(1), _config(thread))
        tup = saver.get_tuple(_config(thread))
    assert tup is not None and len(_messages(tup)) == 6


async def test_async_scripts_the_server_lost_are_sent_again(private_redis: RedisProcess) -> None:
    thread = str(uuid4())
    async with RedisSaver.from_url(private_redis.url, namespace="io") as saver:
        await chat_graph(saver).ainvoke(turn(0), _config(thread))
        with private_redis.client() as admin:
            admin.script_flush()
        await chat_graph(saver).ainvoke(turn(1), _config(thread))
        tup = await saver.aget_tuple(_config(thread))
    assert tup is not None and len(_messages(tup)) == 6


async def test_concurrent_async_calls_each_get_their_own_result_or_error(
    redis_url: str, namespace: str
) -> None:
    good, bad = str(uuid4()), str(uuid4())
    with Redis.from_url(redis_url) as client:
        client.set(f"{namespace}:t:{{{bad}}}:cp", "not ours")
        async with RedisSaver.from_url(redis_url, namespace=namespace) as saver:
            results = await asyncio.gather(
                saver.aput(_config(good), empty_checkpoint(), {"step": 0}, {}),
                saver.aput(_config(bad), empty_checkpoint(), {"step": 0}, {}),
                *(chat_graph(saver).ainvoke(turn(0), _config(str(uuid4()))) for _ in range(3)),
                return_exceptions=True,
            )
            stored = await saver.aget_tuple(_config(good))
        assert client.get(f"{namespace}:t:{{{bad}}}:cp") == b"not ours"
    assert isinstance(results[1], KeyTypeError)
    assert [isinstance(r, BaseException) for r in results] == [False, True, False, False, False]
    assert stored is not None and stored.config == results[0]


async def test_many_concurrent_async_turns_keep_every_thread_whole(
    redis_url: str, namespace: str
) -> None:
    threads = [str(uuid4()) for _ in range(8)]
    async with RedisSaver.from_url(redis_url, namespace=namespace) as saver:
        for i in range(3):
            await asyncio.gather(*(chat_graph(saver).ainvoke(turn(i), _config(t)) for t in threads))
        tuples = await asyncio.gather(*(saver.aget_tuple(_config(t)) for t in threads))
    assert [_messages(t) for t in tuples] == [
        ["h-0", "ai-1", "t-2", "h-1", "ai-4", "t-5", "h-2", "ai-7", "t-8"]
    ] * len(threads)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_saver_keeps_working_after_its_connections_are_killed(
    private_redis: RedisProcess, kind: str
) -> None:
    thread = str(uuid4())
    async with RedisSaver.from_url(private_redis.url, namespace="io") as saver:
        with private_redis.client() as admin:
            for i in range(3):
                if kind == "sync":
                    await asyncio.to_thread(chat_graph(saver).invoke, turn(i), _config(thread))
                else:
                    await chat_graph(saver).ainvoke(turn(i), _config(thread))
                admin.client_kill_filter(_type="normal", skipme=True)
        tup = await saver.aget_tuple(_config(thread))
    assert tup is not None and len(_messages(tup)) == 9
