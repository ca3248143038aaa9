"""The CS rules model's language data, read from `agents/cs/lang/<language>/understanding.yaml`.

The files are data only (cues per intent and per knowledge-base topic, the words the spelling
mender knows, known misspellings); this module reads and checks them once. A new language is a
new folder: every language's cues are tried on every message, in the file's own `cue_style`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.errors import CsLanguageDataError

__all__ = ["Cue", "LanguageData", "language_data", "languages", "option_spellings"]

Cue = tuple[str, float]
"""A cue and its weight: 3 names the intent outright, 2 strongly suggests it, 1 is a hint."""

_FILE = "understanding.yaml"


class _UnderstandingFile(BaseModel):
    """The schema of one `understanding.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cue_style: Literal["words", "chars"]
    intents: dict[str, list[tuple[str, float]]]
    faq: dict[str, list[str]]
    spelling: list[str] = Field(default_factory=list)
    typos: dict[str, str] = Field(default_factory=dict)
    options: dict[str, list[str]] = Field(default_factory=dict)
    size_shift: dict[Literal[-1, 1], list[str]] = Field(default_factory=dict)
    corrections: list[str] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LanguageData:
    """One language's cues.

    Attributes:
        lang: The folder name (``en``, ``zh``).
        cue_style: ``words``: cues are regular expressions matched on the lower-cased message at
            word boundaries; ``chars``: cues are substrings of the message or its jieba tokens.
        intents: Weighted cues per intent.
        faq: Cues per knowledge-base topic.
        spelling: Words a one-letter slip is mended to ("adress" -> "address").
        typos: Misspellings and what they stand for, replaced before reading.
        options: Other ways to write a catalog option key or value (``grey``: gray, 灰色).
        size_shift: Cues for one size down (-1) or up (1), in the language's cue style.
        corrections: Cues that take back what was just written ("no wait", 不对).
    """

    lang: str
    cue_style: Literal["words", "chars"]
    intents: Mapping[str, tuple[Cue, ...]]
    faq: Mapping[str, tuple[str, ...]]
    spelling: frozenset[str] = field(default_factory=frozenset)
    typos: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    size_shift: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    corrections: tuple[str, ...] = ()


def _folder() -> Any:
    return resources.files("shopcrew.agents.cs").joinpath("lang")


@cache
def languages() -> tuple[str, ...]:
    """The languages that have an `understanding.yaml`, in name order."""
    return tuple(
        sorted(entry.name for entry in _folder().iterdir() if entry.joinpath(_FILE).is_file())
    )


@cache
def language_data(lang: str) -> LanguageData:
    """Read and check `lang/<lang>/understanding.yaml` (once per process).

    Raises:
        CsLanguageDataError: The file is missing, not YAML, or does not follow the schema.
    """
    path = f"{lang}/{_FILE}"
    source = _folder().joinpath(path)
    if not source.is_file():
        raise CsLanguageDataError(path, "the file does not exist")
    try:
        parsed = _UnderstandingFile.model_validate(yaml.safe_load(source.read_text("utf-8")))
    except yaml.YAMLError as error:
        raise CsLanguageDataError(path, f"not valid YAML ({error})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CsLanguageDataError(path, f"{where}: {first['msg']}") from error
    return LanguageData(
        lang=lang,
        cue_style=parsed.cue_style,
        intents={name: tuple(cues) for name, cues in parsed.intents.items()},
        faq={topic: tuple(cues) for topic, cues in parsed.faq.items()},
        spelling=frozenset(word.lower() for word in parsed.spelling),
        typos=dict(parsed.typos),
        options={word.lower(): tuple(ways) for word, ways in parsed.options.items()},
        size_shift={int(step): tuple(cues) for step, cues in parsed.size_shift.items()},
        corrections=tuple(parsed.corrections),
    )


@cache
def option_spellings(word: str) -> tuple[str, ...]:
    """A catalog option key or value and the other ways of writing it, in every language."""
    ways = [word]
    for lang in languages():
        ways += language_data(lang).options.get(word.lower(), ())
    return tuple(dict.fromkeys(ways))
