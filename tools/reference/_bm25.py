"""A small Okapi BM25 index over words: jieba for Chinese, lower-cased word tokens for English."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["Bm25Index", "has_cjk", "tokenize"]

logger = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[0-9a-z]+(?:['’][a-z]+)?")
_KEEP = re.compile(r"[0-9a-z\u4e00-\u9fff]")

# Words that say nothing about a topic; without them short queries rank on their content words.
_STOP = frozenset(
    """a an and are as at be by can do does for from how i if in is it its me my of on or our
    so that the this to was we what when where which will with you your 's
    的 了 吗 呢 吧 啊 呀 我 我们 你 你们 是 在 有 和 与 或 就 都 也 还 要 想 请问 请 一下 什么 怎么
    怎样 如何 多少 多久 哪些 哪 可以 能 能不能 会 这 那 个 么""".split()
)


@lru_cache(maxsize=1)
def _jieba_cut_for_search() -> object:
    import jieba

    # jieba logs its dictionary loading at DEBUG through its own handler; keep it quiet.
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.lcut_for_search


def has_cjk(text: str) -> bool:
    """Whether `text` holds a CJK ideograph (U+4E00–U+9FFF)."""
    return _CJK.search(text) is not None


def tokenize(text: str) -> list[str]:
    """Split text into lower-cased search words, dropping stop words and punctuation.

    Text with Chinese characters is segmented by jieba (search mode, which also yields the
    shorter words inside long ones); other text is split into ASCII word tokens.
    """
    lowered = text.lower()
    if has_cjk(lowered):
        cut = _jieba_cut_for_search()
        words: list[str] = [w.strip() for w in cut(lowered)]  # type: ignore[operator]
    else:
        words = _WORD.findall(lowered)
    return [w for w in words if w and w not in _STOP and _KEEP.search(w)]


class Bm25Index:
    """Okapi BM25 over pre-tokenised documents.

    Args:
        documents: One token list per document.
        k1: Term-frequency saturation.
        b: Length normalisation.
    """

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75):
        self._k1, self._b = k1, b
        self._counts = [Counter(doc) for doc in documents]
        self._lengths = [len(doc) for doc in documents]
        self._avg = (sum(self._lengths) / len(documents)) if documents else 0.0
        df: Counter[str] = Counter()
        for counts in self._counts:
            df.update(counts.keys())
        total = len(documents)
        self._idf = {term: math.log(1.0 + (total - n + 0.5) / (n + 0.5)) for term, n in df.items()}

    def scores(self, query: Sequence[str]) -> list[float]:
        """The BM25 score of every document for `query`, in document order."""
        terms = [term for term in dict.fromkeys(query) if term in self._idf]
        result = []
        for counts, length in zip(self._counts, self._lengths, strict=True):
            norm = self._k1 * (1.0 - self._b + self._b * length / self._avg) if self._avg else 0.0
            score = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    score += self._idf[term] * tf * (self._k1 + 1.0) / (tf + norm)
            result.append(score)
        return result
