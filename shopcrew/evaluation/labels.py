"""How printouts and result files name the model that actually ran."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from shopcrew.models.factory import openai_model_name

__all__ = ["model_label"]


def model_label(model: BaseChatModel) -> str:
    """The name of a resolved chat model, as printouts show it.

    ``'rules'`` for the offline rules model (also when ``openai:NAME`` fell back to it for
    want of an endpoint), ``'openai:gpt-4o-mini'`` for an OpenAI-compatible model, the
    model's ``_llm_type`` otherwise (``'scripted'``).
    """
    name = openai_model_name(model)
    if name is not None:
        return f"openai:{name}"
    return str(getattr(model, "_llm_type", type(model).__name__))
