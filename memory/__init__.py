"""Shared memory: Redis checkpointer, Redis store and blackboard, with in-memory defaults."""

from shopcrew.memory._connect import REDIS_URL_ENV, Memory, connect
from shopcrew.memory.blackboard.base import (
    DEFAULT_MAXLEN,
    Blackboard,
    InMemoryBlackboard,
    StreamMessage,
)
from shopcrew.memory.blackboard.entries import (
    ApprovalNote,
    CampaignNote,
    CustomerComplaint,
    Entry,
    EntryKind,
    ExpectedStockOut,
    StockAlert,
)
from shopcrew.memory.blackboard.redis import RedisBlackboard
from shopcrew.memory.saver.redis import RedisSaver
from shopcrew.memory.store.redis import RedisStore

__all__ = [
    "DEFAULT_MAXLEN",
    "REDIS_URL_ENV",
    "ApprovalNote",
    "Blackboard",
    "CampaignNote",
    "CustomerComplaint",
    "Entry",
    "EntryKind",
    "ExpectedStockOut",
    "InMemoryBlackboard",
    "Memory",
    "RedisBlackboard",
    "RedisSaver",
    "RedisStore",
    "StockAlert",
    "StreamMessage",
    "connect",
]
