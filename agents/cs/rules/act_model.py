"""The act classifier's fitted weights, stored beside its examples, and their prediction.

scikit-learn trains the classifier (character n-grams within words, TF-IDF with sublinear term
frequency, multinomial logistic regression) on `lang/<language>/examples.yaml`. Its weights are
stored in `lang/acts.npz` with the hash of the examples they were fitted on, and a message is
scored here with NumPy alone: reading a conversation then needs neither scikit-learn nor SciPy,
which cost more CPU to import and fit than the whole rest of a short eval. Examples edited
without storing the weights again are noticed by their hash: the classifier is then trained at
first use, as before, and a test says which command stores it.

    python -c "from shopcrew.agents.cs.rules.act_model import store; store()"   # after an edit
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "NGRAMS",
    "ActModel",
    "examples_sha256",
    "model_path",
    "store",
    "train_act_model",
]

logger = logging.getLogger(__name__)

NGRAMS: Final = (1, 4)
"""Character n-gram lengths, within words padded with a space on each side."""
_C: Final = 10.0
_WHITESPACE = re.compile(r"\s\s+")


def model_path() -> Path:
    """Where the stored weights live (package data)."""
    return Path(str(resources.files("shopcrew.agents.cs").joinpath("lang").joinpath("acts.npz")))


def examples_sha256(texts: Sequence[str], labels: Sequence[str]) -> str:
    """The hash of the training examples (masked texts and their acts), in order."""
    payload = json.dumps([list(texts), list(labels)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _grams(text: str) -> list[str]:
    """The n-grams of a masked text, as scikit-learn's ``char_wb`` analyzer makes them."""
    low, high = NGRAMS
    grams: list[str] = []
    for word in _WHITESPACE.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


@dataclass(frozen=True, slots=True)
class ActModel:
    """A fitted classifier: n-gram vocabulary, idf weights, and one linear scorer per act."""

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    coef: NDArray[np.float64]
    """Shape (acts, n-grams)."""
    intercept: NDArray[np.float64]
    examples_sha256: str

    def probabilities(self, text: str) -> NDArray[np.float64]:
        """The probability of each act (in `classes` order) for a masked text."""
        import numpy as np  # loaded with the first message read, not with the agent

        counts = Counter(i for g in _grams(text) if (i := self.vocabulary.get(g)) is not None)
        scores = self.intercept.copy()
        if counts:
            index = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float64)
            weights = tf * self.idf[index]
            norm = float(np.sqrt(weights @ weights))
            if norm > 0.0:
                scores += self.coef[:, index] @ (weights / norm)
        exp = np.exp(scores - scores.max())
        return np.asarray(exp / exp.sum(), dtype=np.float64)

    def save(self, path: Path) -> None:
        """Store the weights (compressed NumPy arrays; the vocabulary in index order)."""
        import numpy as np

        grams = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            grams=np.array(grams),
            idf=self.idf,
            coef=self.coef,
            intercept=self.intercept,
            examples_sha256=np.array(self.examples_sha256),
        )

    @classmethod
    def load(cls, path: Path) -> ActModel:
        """The stored weights."""
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            grams = [str(g) for g in data["grams"]]
            return cls(
                classes=tuple(str(c) for c in data["classes"]),
                vocabulary={g: i for i, g in enumerate(grams)},
                idf=np.asarray(data["idf"], dtype=np.float64),
                coef=np.asarray(data["coef"], dtype=np.float64),
                intercept=np.asarray(data["intercept"], dtype=np.float64),
                examples_sha256=str(data["examples_sha256"]),
            )


def train_act_model(texts: Sequence[str], labels: Sequence[str]) -> ActModel:
    """Fit the classifier on masked example texts with scikit-learn (imported here only)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True)
    features = vectorizer.fit_transform(list(texts))
    model = LogisticRegression(C=_C, max_iter=2000).fit(features, list(labels))
    return ActModel(
        classes=tuple(str(c) for c in model.classes_),
        vocabulary={str(g): int(i) for g, i in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        coef=np.asarray(model.coef_, dtype=np.float64),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
        examples_sha256=examples_sha256(texts, labels),
    )


def store() -> Path:
    """Fit the classifier on the examples of every language folder and store it; its path."""
    from shopcrew.agents.cs.rules.acts import training_examples

    texts, labels = training_examples()
    path = model_path()
    train_act_model(texts, labels).save(path)
    logger.info("stored the act classifier (%d examples) in %s", len(texts), path)
    return path
