"""What a customer message does, read by a small trained classifier: the dialogue act.

Cue phrases name intents well but break on paraphrase and word order: "Is there a return
window?" carries the cue of a return, yet asks about the shop's rules. The act (a policy
question, a request about the customer's own order or account, asking for a person, thanks, a
greeting) is read by a character n-gram logistic regression trained on the example utterances of
`lang/<language>/examples.yaml` at first use (well under a second), so a new phrasing is a new
example line. Exact things (order ids, emails, numbers) are masked first: the act does not
depend on which order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal, get_args

import yaml

from shopcrew.agents.cs.rules.lexicon import languages
from shopcrew.agents.cs.rules.spelling import mend_typos
from shopcrew.errors import CsLanguageDataError

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = ["Act", "ActReading", "read_act"]

Act = Literal["policy", "account", "person", "thanks", "greeting"]
_ACTS: tuple[str, ...] = get_args(Act)
_FILE = "examples.yaml"

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


def _examples() -> tuple[list[str], list[str]]:
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
def _classifier() -> Pipeline:
    # scikit-learn (and numpy/scipy under it) loads only when a message is first read.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    texts, labels = _examples()
    pipeline = Pipeline(
        [
            ("grams", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)),
            ("model", LogisticRegression(C=10.0, max_iter=2000)),
        ]
    )
    pipeline.fit(texts, labels)
    return pipeline


@lru_cache(maxsize=8192)
def read_act(text: str) -> ActReading:
    """The dialogue act of one customer message."""
    pipeline = _classifier()
    probabilities = pipeline.predict_proba([_mask(text)])[0]
    best = int(probabilities.argmax())
    act = str(pipeline.classes_[best])
    assert act in _ACTS
    return ActReading(act=act, confidence=float(probabilities[best]))  # type: ignore[arg-type]
