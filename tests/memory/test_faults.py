"""RedisSaver under faults and bad input: unreachable, restarted, killed connections,
foreign keys, foreign formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from redis import Redis
from support.chat import chat_graph, turn
from support.redis_servers import RedisProcess, free_port

from shopcrew.errors import CheckpointFormatError, KeyTypeError, RedisUnavailableError
from shopcrew.memory.saver.redis import RedisSaver


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def _messages(saver: RedisSaver, thread: str) -> list[str]:
    tup = saver.get_tuple(_config(thread))
    assert tup is not None
    return [m.id for m in tup.checkpoint["channel_values"]["messages"]]


def test_unreachable_server_raises_a_typed_error_naming_it() -> None:
    port = free_port()
    with RedisSaver.from_url(f"redis://127.0.0.1:{port}/0") as saver:
        with pytest.raises(RedisUnavailableError, match=f"127.0.0.1:{port}") as caught:
            saver.get_tuple(_config("t"))
    assert caught.value.server == f"redis://127.0.0.1:{port}"


async def test_unreachable_server_raises_a_typed_error_in_async_calls() -> None:
    port = free_port()
    async with RedisSaver.from_url(f"redis://127.0.0.1:{port}/0") as saver:
        with pytest.raises(RedisUnavailableError, match=f"127.0.0.1:{port}"):
            await saver.aget_tuple(_config("t"))


def test_server_killed_and_restarted_mid_run_keeps_whole_checkpoints(tmp_path: Path) -> None:
    server = RedisProcess(tmp_path, free_port(), "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    thread = str(uuid4())
    try:
        with RedisSaver.from_url(server.url, namespace="faults") as saver:
            for i in range(3):
                chat_graph(saver).invoke(turn(i), _config(thread))
            server.stop()
            with pytest.raises(RedisUnavailableError):
                chat_graph(saver).invoke(turn(3), _config(thread))
            server.start()
            assert len(_messages(saver, thread)) == 9
            for i in range(3, 5):
                chat_graph(saver).invoke(turn(i), _config(thread))
            ids = _messages(saver, thread)
    finally:
        server.stop()
    assert ids[-6:] == ["h-3", "ai-10", "t-11", "h-4", "ai-13", "t-14"]
    assert len(ids) == len(set(ids))


def test_killed_connections_are_retried_transparently(private_redis: RedisProcess) -> None:
    thread = str(uuid4())
    with (
        RedisSaver.from_url(private_redis.url, namespace="faults") as saver,
        Redis.from_url(private_redis.url) as admin,
    ):
        for i in range(4):
            chat_graph(saver).invoke(turn(i), _config(thread))
            admin.client_kill_filter(_type="normal", skipme=True)
        assert len(_messages(saver, thread)) == 12


def test_key_of_wrong_type_is_reported_and_left_alone(redis_url: str, namespace: str) -> None:
    thread = str(uuid4())
    foreign = f"{namespace}:t:{{{thread}}}:cp"
    with (
        Redis.from_url(redis_url) as client,
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
    ):
        client.set(foreign, "someone else's value")
        with pytest.raises(KeyTypeError, match="expected a hash") as caught:
            chat_graph(saver).invoke(turn(0), _config(thread))
        assert caught.value.key == foreign
        assert client.get(foreign) == b"someone else's value"
        assert client.exists(f"{namespace}:t:{{{thread}}}:idx") == 0


def test_checkpoint_of_another_format_version_is_a_clear_error(
    redis_url: str, namespace: str
) -> None:
    thread = str(uuid4())
    with (
        Redis.from_url(redis_url) as client,
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
    ):
        chat_graph(saver).invoke(turn(0), _config(thread))
        key = f"{namespace}:t:{{{thread}}}:cp"
        for field, value in client.hgetall(key).items():
            client.hset(key, field, b"SCP9" + value[4:])
        with pytest.raises(CheckpointFormatError, match="format 'SCP9'"):
            saver.get_tuple(_config(thread))


class _FutureSerde(JsonPlusSerializer):
    """A serializer whose output names a type today's serde does not know."""

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        _, data = super().dumps_typed(obj)
        return "future-codec", data


def test_checkpoint_written_by_another_serde_is_a_clear_error(
    redis_url: str, namespace: str
) -> None:
    thread = str(uuid4())
    with RedisSaver.from_url(redis_url, namespace=namespace, serde=_FutureSerde()) as writer:
        chat_graph(writer).invoke(turn(0), _config(thread))
    with RedisSaver.from_url(redis_url, namespace=namespace) as reader:
        with pytest.raises(CheckpointFormatError, match="future-codec"):
            reader.get_tuple(_config(thread))


def test_key_types_are_checked_on_the_first_write_of_a_thread_only(
    private_redis: RedisProcess,
) -> None:
    thread = str(uuid4())
    with (
        RedisSaver.from_url(private_redis.url, namespace="types") as saver,
        private_redis.client() as admin,
    ):
        chat_graph(saver).invoke(turn(0), _config(thread))
        admin.config_resetstat()
        chat_graph(saver).invoke(turn(1), _config(thread))
        commands = admin.info("commandstats")
    assert "cmdstat_evalsha" in commands
    assert "cmdstat_type" not in commands


def test_key_turned_into_another_type_later_fails_the_next_writes_typed(
    redis_url: str, namespace: str
) -> None:
    thread = str(uuid4())
    cp = f"{namespace}:t:{{{thread}}}:cp"
    with (
        Redis.from_url(redis_url) as client,
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
    ):
        chat_graph(saver).invoke(turn(0), _config(thread))
        listed = [t.config for t in saver.list(_config(thread))]
        client.delete(cp)
        client.set(cp, "someone else's value")
        with pytest.raises(KeyTypeError):
            chat_graph(saver).invoke(turn(1), _config(thread))
        with pytest.raises(KeyTypeError, match="expected a hash") as caught:
            saver.put_writes(listed[0], [("messages", [])], "task-1")
        assert caught.value.key == cp
        assert client.get(cp) == b"someone else's value"
        assert client.zcard(f"{namespace}:t:{{{thread}}}:idx") == len(listed)
