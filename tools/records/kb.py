"""Knowledge-base articles: the merchant's FAQ, one article per topic and language."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shopcrew.tools._jsonl import load_jsonl

__all__ = ["KbArticle", "KbLang", "load_kb"]

KbLang = Literal["zh", "en"]


class KbArticle(BaseModel):
    """One knowledge-base article, in the format of `CS_FORMAT.md` section 2."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Article id, `<topic>-<lang>` by convention.")
    lang: KbLang = Field(description="The article's language.")
    title: str = Field(min_length=1)
    body: str = Field(min_length=1, description="The facts, as the agent must state them.")
    tags: list[str] = Field(default_factory=list, description="Search keywords.")


def load_kb(path: Path) -> list[KbArticle]:
    """Load a knowledge-base JSON Lines file (`kb.jsonl`, `cs_kb.jsonl`).

    Raises:
        StoreFileError: The file is missing or malformed; it names the record and field.
    """
    return load_jsonl(path, KbArticle)
