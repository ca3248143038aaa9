"""Chat models: the offline rules model, a scripted model for tests, OpenAI-compatible models."""

from shopcrew.models.factory import resolve_model
from shopcrew.models.rules import RulesChatModel, RulesDialogue
from shopcrew.models.scripted import ScriptedChatModel, stream_chunks
from shopcrew.models.usage import RunUsage, UsageRecorder, UsageTotals, price_of

__all__ = [
    "RulesChatModel",
    "RulesDialogue",
    "RunUsage",
    "ScriptedChatModel",
    "UsageRecorder",
    "UsageTotals",
    "price_of",
    "resolve_model",
    "stream_chunks",
]
