"""The reference `KnowledgeBaseAdapter`: articles in memory, BM25 search, from `kb.jsonl`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from shopcrew.errors import UnknownRecordError
from shopcrew.tools.protocols.merchant import ScoredArticle
from shopcrew.tools.records.kb import KbArticle, KbLang, load_kb
from shopcrew.tools.reference._bm25 import Bm25Index, tokenize
from shopcrew.tools.reference._twins import async_twin

__all__ = ["KB_FILE", "JsonKnowledgeBaseAdapter"]

KB_FILE = "kb.jsonl"
"""The knowledge-base file of a store directory: one `KbArticle` per line (optional)."""


def _article_words(article: KbArticle) -> list[str]:
    # Title and tags say what the article is about: they count twice.
    head = tokenize(article.title) + tokenize(" ".join(article.tags))
    return head + head + tokenize(article.body)


class JsonKnowledgeBaseAdapter:
    """One merchant's knowledge base, searched with BM25.

    Words are jieba-segmented for text with Chinese characters and lower-cased ASCII word
    tokens otherwise; title and tags weigh twice the body. Read-only.

    Args:
        articles: The articles.
        merchant_id: The merchant they belong to.
    """

    def __init__(self, articles: Iterable[KbArticle] = (), *, merchant_id: str = "default") -> None:
        self.merchant_id = merchant_id
        self._articles = list(articles)
        ids = [article.id for article in self._articles]
        if len(set(ids)) != len(ids):
            raise ValueError("knowledge-base article ids repeat")
        self._by_id = dict(zip(ids, self._articles, strict=True))
        self._index = Bm25Index([_article_words(article) for article in self._articles])

    @classmethod
    def from_file(cls, path: Path, *, merchant_id: str = "default") -> JsonKnowledgeBaseAdapter:
        """Load a knowledge-base file (`cs_kb.jsonl` format).

        Raises:
            StoreFileError: The file is missing or malformed; nothing was loaded.
        """
        return cls(load_kb(Path(path)), merchant_id=merchant_id)

    @classmethod
    def from_dir(cls, store_dir: Path, *, merchant_id: str = "default") -> JsonKnowledgeBaseAdapter:
        """Load `store_dir/kb.jsonl` (no file: an empty knowledge base).

        Raises:
            StoreFileError: The file is malformed; nothing was loaded.
        """
        path = Path(store_dir) / KB_FILE
        return cls(load_kb(path) if path.exists() else [], merchant_id=merchant_id)

    def get_article(self, article_id: str) -> KbArticle:
        """See `KnowledgeBaseAdapter.get_article`."""
        try:
            return self._by_id[article_id]
        except KeyError:
            raise UnknownRecordError(
                "knowledge-base article",
                article_id,
                merchant_id=self.merchant_id,
                hint="Search the knowledge base with `search(query)`.",
            ) from None

    def list_articles(self, *, lang: KbLang | None = None) -> list[KbArticle]:
        """See `KnowledgeBaseAdapter.list_articles`."""
        return [article for article in self._articles if lang is None or article.lang == lang]

    def search(self, query: str, *, lang: KbLang | None = None, k: int = 3) -> list[ScoredArticle]:
        """See `KnowledgeBaseAdapter.search`."""
        if k <= 0:
            return []
        scores = self._index.scores(tokenize(query))
        hits = [
            ScoredArticle(article, score)
            for article, score in zip(self._articles, scores, strict=True)
            if score > 0 and (lang is None or article.lang == lang)
        ]
        hits.sort(key=lambda hit: -hit.score)
        return hits[:k]

    aget_article = async_twin(get_article)
    alist_articles = async_twin(list_articles)
    asearch = async_twin(search)
