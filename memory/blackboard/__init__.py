"""The blackboard: typed entries agents leave each other, and an event stream, per merchant."""

from shopcrew.memory.blackboard.base import (
    DEFAULT_MAXLEN,
    Blackboard,
    InMemoryBlackboard,
    StreamMessage,
)
from shopcrew.memory.blackboard.entries import (
    ENTRY_ADAPTER,
    REFUND_SPIKE,
    ApprovalNote,
    CampaignNote,
    CustomerComplaint,
    Entry,
    EntryKind,
    ExpectedStockOut,
    StockAlert,
)
from shopcrew.memory.blackboard.redis import RedisBlackboard

__all__ = [
    # the blackboards
    "DEFAULT_MAXLEN",
    "Blackboard",
    "InMemoryBlackboard",
    "RedisBlackboard",
    "StreamMessage",
    # the entries
    "ENTRY_ADAPTER",
    "REFUND_SPIKE",
    "ApprovalNote",
    "CampaignNote",
    "CustomerComplaint",
    "Entry",
    "EntryKind",
    "ExpectedStockOut",
    "StockAlert",
]
