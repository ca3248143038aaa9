"""The Redis checkpointer: LangGraph's `BaseCheckpointSaver` on plain Redis commands."""

from shopcrew.memory.saver.redis import RedisSaver

__all__ = ["RedisSaver"]
