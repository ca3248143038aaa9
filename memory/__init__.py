"""Shared memory: Redis checkpointer, Redis store and blackboard, with in-memory defaults."""

from shopcrew.memory._connect import REDIS_URL_ENV, Memory, connect
from shopcrew.memory.blackboard import DEFAULT_MAXLEN, Blackboard, InMemoryBlackboard, StreamMessage
from shopcrew.memory.blackboard_entries import (
    ApprovalDecision,
    CampaignNote,
    CustomerComplaint,
    Entry,
    EntryKind,
    ExpectedStockOut,
    StockAlert,
)
from shopcrew.memory.blackboard_redis import RedisBlackboard
from shopcrew.memory.redis_saver import RedisSaver
from shopcrew.memory.redis_store import RedisStore

__all__ = [
    "DEFAULT_MAXLEN",
    "REDIS_URL_ENV",
    "ApprovalDecision",
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
