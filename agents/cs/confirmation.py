"""The strict confirmation reader: is a customer's reply an unhedged yes to the proposal?

A reply is a yes only when *every* word of it is covered by the confirmation vocabulary of
`lang/<language>/confirmation.yaml` (plain affirmations, politeness, the proposal as object,
the proposed action's own verbs) and at least one covering phrase affirms: an `affirm` phrase
or a yes emoji. The proposed action's verbs may stand beside a yes ("Yes, cancel it") but are
none alone ("Cancel." may mean: call it off), and another action's verbs make the reply no
yes. The vocabulary is an allow-list, so what the reader does not know makes the reply not a
yes: a question, "but", "wait", "not yet", "let me think", "晚点再说", a condition, a scope
("only the Yoga Mat", "all of them", "这个也", "都"), a tag question ("对的吧"), a correction, a
claim of earlier approval. A reply that trails off ("yes and", "ok so", "yes -") or is struck
through ("~yes~") is none either. When unsure, it is not a yes; the agent asks again.

Both languages' vocabularies apply to every reply (shoppers mix them: "ok的", "好的 go ahead").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, Literal

import yaml

__all__ = ["ConfirmationReading", "NotYes", "read_confirmation"]

NotYes = Literal[
    "empty", "too_long", "question", "hesitation", "unfinished", "unknown_words", "no_affirmation"
]
"""Why a reply is not a yes."""

_LANGS: Final = ("en", "zh")
_MAX_CHARS: Final = 100
"""A yes is a short turn of its own; a longer message is a request or a story."""
_ELLIPSIS: Final = re.compile(r"\.\.|…|。。|、、|~~|~(?=\S)(?!$)")
"""Trailing off ("yes..."), or struck through ("~yes~"); a lone trailing "~" is only friendly."""
_UNFINISHED: Final = re.compile(
    r"(?:\b(?:and|or|but|so|then|also|plus|if|because|unless|except)|[-–—:,/;，、：；])\W*$"
)
"""A reply that stops mid-sentence ("yes and", "ok so", "yes -")."""
_SKIN_AND_JOINERS: Final = re.compile("[\ufe0f\ufe0e\u200d\U0001f3fb-\U0001f3ff]")
_CJK: Final = re.compile(r"[\u3400-\u9fff]")
_TOKEN: Final = re.compile(r"[a-z0-9][a-z0-9'.:-]*[a-z0-9]|[a-z0-9]|[\u3400-\u9fff]|:\)|:-\)|\S")
_PUNCT: Final = frozenset(
    ",.!;:~'\"()[]{}<>、。！，；：～·-_/\\|*#@&+=^`—–“”‘’「」『』【】（）《》"
)


@dataclass(frozen=True, slots=True)
class ConfirmationReading:
    """What the reader made of a reply."""

    is_yes: bool
    why_not: NotYes | None = None
    """Why it is not a yes (None for a yes)."""


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    affirm: frozenset[tuple[str, ...]]
    neutral: frozenset[tuple[str, ...]]
    actions: Mapping[str, frozenset[tuple[str, ...]]]
    words: frozenset[str]
    longest: int


def _tokens(text: str) -> list[str]:
    """Words (Latin letters and digits), single CJK characters and symbols, without punctuation."""
    return [token for token in _TOKEN.findall(text) if token not in _PUNCT]


def _phrases(items: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_tokens(_normalise(item))) for item in items if _tokens(item))


@cache
def _vocabulary() -> _Vocabulary:
    affirm: set[tuple[str, ...]] = set()
    neutral: set[tuple[str, ...]] = set()
    actions: dict[str, set[tuple[str, ...]]] = {}
    for lang in _LANGS:
        source = resources.files("shopcrew.agents.cs").joinpath(f"lang/{lang}/confirmation.yaml")
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        affirm |= _phrases(data["affirm"])
        neutral |= _phrases([*data["weak"], *data["filler"], *data["objects"]])
        emoji = data.get("emoji", {})
        affirm |= _phrases(emoji.get("affirm", []))
        neutral |= _phrases(emoji.get("filler", []))
        for name, verbs in data["actions"].items():
            actions.setdefault(name, set()).update(_phrases(verbs))
    frozen_actions = {name: frozenset(verbs) for name, verbs in actions.items()}
    every = affirm | neutral | {p for verbs in frozen_actions.values() for p in verbs}
    return _Vocabulary(
        affirm=frozenset(affirm),
        neutral=frozenset(neutral),
        actions=frozen_actions,
        words=frozenset(word for phrase in every for word in phrase),
        longest=max(len(phrase) for phrase in every),
    )


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'")
    return _SKIN_AND_JOINERS.sub("", text)


def _without_emoji(text: str) -> str:
    """The text without trailing emoji and spaces (a yes may end with "👍" or "😊")."""
    end = len(text)
    while end and (text[end - 1].isspace() or unicodedata.category(text[end - 1]) == "So"):
        end -= 1
    return text[:end]


def _squeeze(token: str, words: frozenset[str]) -> str:
    """Undo stretched letters ("yesss", "okkk", "pleaseee") when that makes a known word."""
    if _CJK.match(token) or token in words:
        return token
    for keep in (2, 1):
        squeezed = re.sub(r"([a-z])\1{" + str(keep) + ",}", r"\1" * keep, token)
        if squeezed in words:
            return squeezed
    return token


def _cover(tokens: list[str], vocabulary: _Vocabulary, action: str | None) -> int | None:
    """How many affirming phrases cover the tokens when read in the fewest, longest phrases.

    Longest phrases first, as a person reads: "好吧" is the reluctant "好吧", not "好" + "吧".
    None when the vocabulary cannot cover every token.
    """
    own = vocabulary.actions.get(action, frozenset()) if action else frozenset()
    affirming = vocabulary.affirm
    allowed = affirming | vocabulary.neutral | own
    # best[i]: (phrases used, -affirming phrases) of the best cover of tokens[:i]
    best: list[tuple[int, int] | None] = [None] * (len(tokens) + 1)
    best[0] = (0, 0)
    for start in range(len(tokens)):
        so_far = best[start]
        if so_far is None:
            continue
        for end in range(start + 1, min(len(tokens), start + vocabulary.longest) + 1):
            phrase = tuple(tokens[start:end])
            if phrase not in allowed:
                continue
            score = (so_far[0] + 1, so_far[1] - (phrase in affirming))
            current = best[end]
            if current is None or score < current:
                best[end] = score
    final = best[-1]
    return None if final is None else -final[1]


def read_confirmation(text: str, *, action: str | None = None) -> ConfirmationReading:
    """Read a customer's reply to a proposed change.

    Args:
        text: The customer's latest message.
        action: The write tool of the proposal it answers (`cancel_pending_order`...): its own
            verbs may then stand beside a yes ("Yes, cancel it", "确认退货"); None allows plain
            yeses only.

    Returns:
        A yes only for a short, unhedged affirmation of the proposal and nothing else.
    """
    normal = _normalise(text).strip()
    if not normal:
        return ConfirmationReading(False, "empty")
    if len(normal) > _MAX_CHARS:
        return ConfirmationReading(False, "too_long")
    if "?" in normal:
        return ConfirmationReading(False, "question")
    if _ELLIPSIS.search(normal):
        return ConfirmationReading(False, "hesitation")
    if _UNFINISHED.search(_without_emoji(normal)):
        return ConfirmationReading(False, "unfinished")
    vocabulary = _vocabulary()
    collapsed = re.sub(r"([\u3400-\u9fff])\1{2,}", r"\1\1", normal)
    tokens = [_squeeze(token, vocabulary.words) for token in _tokens(collapsed)]
    if not tokens:
        return ConfirmationReading(False, "empty")
    affirming = _cover(tokens, vocabulary, action)
    if affirming is None:
        return ConfirmationReading(False, "unknown_words")
    if affirming == 0:
        return ConfirmationReading(False, "no_affirmation")
    return ConfirmationReading(True)
