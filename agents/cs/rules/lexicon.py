"""The CS rules model's language data, read from `agents/cs/lang/<language>/`.

The files are data only: `understanding.yaml` has cues per intent and per knowledge-base topic,
the words the spelling mender knows, known misspellings; `cues.yaml` has the words behind the
rules model's named cues (yes/no, "only", "except", refund words…), which `cue` joins into one
pattern. This module reads and checks them once. A new language is a new folder: every
language's cues are tried on every message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.errors import CsLanguageDataError

__all__ = [
    "Cue",
    "CueTable",
    "LanguageData",
    "compile_cue",
    "cue",
    "cue_tables",
    "language_data",
    "languages",
    "option_spellings",
    "read_cue_tables",
]

Cue = tuple[str, float]
"""A cue and its weight: 3 names the intent outright, 2 strongly suggests it, 1 is a hint."""

_FILE = "understanding.yaml"
_CUES = "cues.yaml"

CueTable = Mapping[str, tuple[str, ...]]
"""One language's named cues: cue name -> regular-expression alternatives."""


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


class _FramedWords(BaseModel):
    r"""A cue written as words in a language-specific frame (``\b{}\b`` for whole words)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frame: str
    words: list[str]


class _CuesFile(BaseModel):
    """The schema of one `cues.yaml`: cue name -> alternatives, or words in a frame."""

    model_config = ConfigDict(frozen=True)

    cues: dict[str, list[str] | _FramedWords]


def _place(frame: str, body: str, *, where: str) -> str:
    if frame.count("{}") != 1:
        raise CsLanguageDataError(where, f"the frame {frame!r} needs exactly one {{}}")
    return frame.replace("{}", body)


def _read_cue_file(source: Any, path: str) -> CueTable:
    try:
        parsed = _CuesFile.model_validate({"cues": yaml.safe_load(source.read_text("utf-8"))})
    except yaml.YAMLError as error:
        raise CsLanguageDataError(path, f"not valid YAML ({error})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:3])
        raise CsLanguageDataError(path, f"{where}: {first['msg']}") from error
    table: dict[str, tuple[str, ...]] = {}
    for name, value in parsed.cues.items():
        if isinstance(value, _FramedWords):
            words = "|".join(value.words)
            table[name] = (_place(value.frame, f"(?:{words})", where=f"{path}, cue {name!r}"),)
        else:
            table[name] = tuple(value)
    return table


def read_cue_tables(folder: Any) -> Mapping[str, CueTable]:
    """Every language's `cues.yaml` under `folder` (a `lang/` directory), by language name.

    Raises:
        CsLanguageDataError: A file is not YAML or does not map cue names to alternatives.
    """
    tables: dict[str, CueTable] = {}
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        source = entry.joinpath(_CUES)
        if source.is_file():
            tables[entry.name] = _read_cue_file(source, f"{entry.name}/{_CUES}")
    return tables


@cache
def cue_tables() -> Mapping[str, CueTable]:
    """The shipped languages' named cues (read once, at the first `cue`)."""
    return read_cue_tables(_folder())


def compile_cue(
    tables: Mapping[str, CueTable], name: str, *, frame: str = "{}", flags: int = re.IGNORECASE
) -> re.Pattern[str]:
    """Join every language's alternatives for `name` as ``(?:a|b|…)`` and place them in `frame`.

    Languages are joined in name order, each keeping its own order of alternatives (the first
    alternative that matches at a place wins, so the order can decide a match's extent).

    Raises:
        CsLanguageDataError: No language has the cue, or the joined pattern does not compile.
    """
    files = "{" + ",".join(tables) + "}/" + _CUES
    alternatives = [part for table in tables.values() for part in table.get(name, ())]
    if not alternatives:
        known = ", ".join(sorted({cue for table in tables.values() for cue in table}))
        problem = f"no language defines the cue {name!r}; add it (the cues are: {known})"
        raise CsLanguageDataError(files, problem)
    where = f"{files}, cue {name!r}"
    pattern = _place(frame, "(?:" + "|".join(alternatives) + ")", where=where)
    try:
        return re.compile(pattern, flags)
    except re.error as error:
        raise CsLanguageDataError(where, f"the pattern does not compile ({error})") from error


@cache
def cue(name: str, *, frame: str = "{}", flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """The named cue of every language's `cues.yaml`, as one compiled pattern (cached).

    Args:
        name: The cue, as named in `lang/<language>/cues.yaml`.
        frame: Structure around the words that is no language's (anchors, punctuation); its
            ``{}`` takes the joined alternatives.
        flags: The `re` flags.

    Raises:
        CsLanguageDataError: No language defines the cue, or its pattern does not compile.
    """
    return compile_cue(cue_tables(), name, frame=frame, flags=flags)
