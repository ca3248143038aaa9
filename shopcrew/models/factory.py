"""The model factory: turns ``"rules"``, ``"openai:<name>"`` or a chat model into a chat model."""

from __future__ import annotations

import logging
import sys

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import SecretStr

from shopcrew.errors import ModelEndpointError, UnknownModelSpecError
from shopcrew.models.rules import RulesChatModel
from shopcrew.settings import Settings, load_settings

__all__ = ["NO_KEY_PLACEHOLDER", "OPENAI_PREFIX", "openai_model_name", "resolve_model", "seeded"]

logger = logging.getLogger(__name__)

OPENAI_PREFIX = "openai:"
NO_KEY_PLACEHOLDER = "not-needed"
"""Sent as the API key to a local endpoint (vLLM, Ollama) that needs none."""


def resolve_model(spec: str | BaseChatModel, *, settings: Settings | None = None) -> BaseChatModel:
    """Build the chat model a spec names.

    Args:
        spec: ``"rules"`` for the offline rules model; ``"openai:<name>"`` for model ``<name>``
            on any OpenAI-compatible endpoint (OpenAI, DashScope's compatible mode, vLLM,
            Ollama), reached at ``OPENAI_BASE_URL`` with ``OPENAI_API_KEY``; or a ready
            ``BaseChatModel``, returned as it is.
        settings: Where the endpoint and key come from; ``load_settings()`` when omitted.

    Returns:
        The chat model.

    Raises:
        UnknownModelSpecError: The spec is none of the accepted forms.
        ModelEndpointError: ``"openai:<name>"`` with neither ``OPENAI_API_KEY`` nor
            ``OPENAI_BASE_URL`` set: the rules model never runs in a real model's place.
    """
    if isinstance(spec, BaseChatModel):
        return spec
    text = spec.strip()
    if text == "rules":
        return RulesChatModel()
    if text.startswith(OPENAI_PREFIX) and text[len(OPENAI_PREFIX) :].strip():
        name = text[len(OPENAI_PREFIX) :].strip()
        config = settings or load_settings()
        if config.openai_api_key is None and config.openai_base_url is None:
            # Running the rules model in its place would report a model that never ran.
            raise ModelEndpointError(text)
        key = config.openai_api_key or NO_KEY_PLACEHOLDER
        from langchain_openai import ChatOpenAI  # on demand: the rules model needs no client

        return ChatOpenAI(model=name, base_url=config.openai_base_url, api_key=SecretStr(key))
    raise UnknownModelSpecError(spec)


def openai_model_name(model: BaseChatModel) -> str | None:
    """The model name of an OpenAI-compatible chat model; None for any other model.

    Only a loaded OpenAI client can have made such a model, so asking imports nothing.
    """
    openai = sys.modules.get("langchain_openai.chat_models.base")
    if openai is not None and isinstance(model, openai.BaseChatOpenAI):
        return str(model.model_name)
    return None


def seeded(model: BaseChatModel, seed: int) -> BaseChatModel:
    """`model` sampling with `seed`: OpenAI-compatible endpoints take one; others ignore it."""
    if openai_model_name(model) is None:
        return model
    return model.model_copy(update={"seed": seed})
