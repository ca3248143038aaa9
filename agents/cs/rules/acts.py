"""What a customer message does, read by a small trained classifier: the dialogue act.

Cue phrases name intents well but break on paraphrase and word order: "Is there a return
window?" carries the cue of a return, yet asks about the shop's rules. The act (a policy
question, a request about the customer's own order or account, asking for a person, thanks, a
greeting) is read by a character n-gram logistic regression trained on the example utterances of
`lang/<language>/examples.yaml`, so a new phrasing is a new example line. Its weights are stored
(`act_model`) and scored with NumPy; examples edited since are trained on at first use (well
under a second). Exact things (order ids, emails, numbers) are masked first: the act does not
depend on which order.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal, get_args

import yaml

from shopcrew.agents.cs.rules.act_model import (
    ActModel,
    examples_sha256,
    model_path,
    train_act_model,
)
from shopcrew.agents.cs.rules.lexicon import languages
from shopcrew.agents.cs.rules.spelling import mend_typos
from shopcrew.errors import CsLanguageDataError

__all__ = ["Act", "ActReading", "read_act", "training_examples"]

Act = Literal["policy", "account", "person", "thanks", "greeting"]
_ACTS: tuple[str, ...] = get_args(Act)
_FILE = "examples.yaml"

logger = logging.getLogger(__name__)

_ORDER_ID = re.compile(r"#?\b[Ww]\d{7}\b")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class ActReading:
    """The most likely act of a message and how sure the classifier is of it (0..1)."""

    act: Act
    confidence: float

    def says(self, act: Act, *, at_least: float = 0.5) -> bool:
        """Whether the message's act is `act` with at least that confidence."""
        return self.act == act and self.confidence >= at_least


def _mask(text: str) -> str:
    text = _EMAIL.sub(" @ ", text)
    text = _ORDER_ID.sub(" #W ", text)
    text = _DIGITS.sub("0", text)
    return mend_typos(text).lower()


def training_examples() -> tuple[list[str], list[str]]:
    """The masked example messages of every language folder, and their acts."""
    texts: list[str] = []
    labels: list[str] = []
    for lang in languages():
        path = f"{lang}/{_FILE}"
        source = resources.files("shopcrew.agents.cs").joinpath("lang").joinpath(path)
        if not source.is_file():
            continue
        data = yaml.safe_load(source.read_text("utf-8"))
        if not isinstance(data, dict):
            raise CsLanguageDataError(path, "expected a mapping of act -> example messages")
        for act, examples in data.items():
            if act not in _ACTS:
                raise CsLanguageDataError(path, f"unknown act {act!r}; the acts are {_ACTS}")
            if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
                raise CsLanguageDataError(path, f"{act}: expected a list of messages")
            texts += [_mask(example) for example in examples]
            labels += [act] * len(examples)
    if not texts:
        raise CsLanguageDataError(_FILE, "no language folder has example messages")
    return texts, labels


@cache
def _classifier() -> ActModel:
    texts, labels = training_examples()
    path = model_path()
    if path.is_file():
        stored = ActModel.load(path)
        if stored.examples_sha256 == examples_sha256(texts, labels):
            return stored
        logger.info("examples changed since %s was stored: training the act classifier", path)
    # scikit-learn (and SciPy under it) loads only here
    return train_act_model(texts, labels)


@lru_cache(maxsize=8192)
def read_act(text: str) -> ActReading:
    """The dialogue act of one customer message."""
    model = _classifier()
    probabilities = model.probabilities(_mask(text))
    best = int(probabilities.argmax())
    act = model.classes[best]
    assert act in _ACTS
    return ActReading(act=act, confidence=float(probabilities[best]))  # type: ignore[arg-type]
