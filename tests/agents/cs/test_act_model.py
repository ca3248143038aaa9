"""The act classifier's stored weights: fitted on the examples of today, scored as sklearn does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from shopcrew.agents.cs.rules.act_model import (
    NGRAMS,
    ActModel,
    examples_sha256,
    model_path,
    train_act_model,
)
from shopcrew.agents.cs.rules.acts import _mask, training_examples

MESSAGES = [
    "Is there a return window?",
    "亲，在吗？钱多久能退回来？",
    "Can u change the shipping adress on #W1234567",
    "能不能让人工客服来处理？😭",
    "thx!!",
    "  multiple   spaces\tand\nnewlines  ",
    "a",
    "",
    "é accents ÉTÉ",
    "我搬家了，默认收货地址换成 上海市浦东新区 世纪大道100号",
    "hello?? anyone there",
    "x" * 300,
]


def test_the_stored_weights_were_fitted_on_the_examples_of_today() -> None:
    texts, labels = training_examples()
    stored = ActModel.load(model_path())
    assert stored.examples_sha256 == examples_sha256(texts, labels), (
        "examples.yaml changed since the act classifier was stored: run "
        'python -c "from shopcrew.agents.cs.rules.act_model import store; store()"'
    )


def test_numpy_scores_as_the_scikit_learn_pipeline_does() -> None:
    texts, labels = training_examples()
    pipeline = Pipeline(
        [
            ("grams", TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True)),
            ("model", LogisticRegression(C=10.0, max_iter=2000)),
        ]
    ).fit(texts, labels)
    stored = ActModel.load(model_path())
    assert stored.classes == tuple(pipeline.classes_)
    samples = [*texts, *(_mask(m) for m in MESSAGES)]
    expected = pipeline.predict_proba(samples)
    got = np.array([stored.probabilities(sample) for sample in samples])
    assert np.abs(got - expected).max() < 1e-6
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_weights_survive_a_save_and_a_load(tmp_path: Path) -> None:
    texts, labels = training_examples()
    fitted = train_act_model(texts[::2], labels[::2])
    path = tmp_path / "acts.npz"
    fitted.save(path)
    loaded = ActModel.load(path)
    assert loaded.vocabulary == fitted.vocabulary
    assert loaded.examples_sha256 == fitted.examples_sha256 != examples_sha256(texts, labels)
    for message in MESSAGES:
        assert loaded.probabilities(_mask(message)) == pytest.approx(
            fitted.probabilities(_mask(message))
        )
