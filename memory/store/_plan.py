"""Turning a batch of store ops into script arguments, and script replies into results.

Shared by `RedisStore.batch` and `abatch`: only the Redis and embedding calls differ.
Like `InMemoryStore`, reads see the state before the batch's writes, and several puts to one
item keep the last, at the position of the first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langgraph.store.base import (
    GetOp,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    get_text_at_path,
    tokenize_path,
    validate_op_namespace,
)
from numpy.typing import NDArray

from shopcrew.memory.store._codec import (
    StoredItem,
    decode_item,
    decode_namespace,
    decode_vectors,
    encode_namespace,
    encode_value,
    encode_vectors,
)
from shopcrew.memory.store._query import lex_prefix, matches_filter, rank, select_namespaces

__all__ = [
    "BatchPlan",
    "IndexFields",
    "ItemId",
    "Texts",
    "plan_batch",
    "texts_to_embed",
    "vectors_by_item",
]

ItemId = tuple[tuple[str, ...], str]
IndexFields = list[tuple[str, list[str] | str]]
"""Indexed paths, each with its tokenized form ("$" for the whole value)."""
Texts = dict[str, list[tuple[ItemId, str]]]
"""Text to embed -> the (item, path) pairs it belongs to."""


@dataclass
class BatchPlan:
    """One batch, split into a read script call and a write script call."""

    results: list[Result]
    read_args: list[str] = field(default_factory=list)
    reads: list[tuple[int, Op]] = field(default_factory=list)
    puts: dict[ItemId, PutOp] = field(default_factory=dict)

    @property
    def queries(self) -> list[str]:
        """The distinct search queries to embed, in first-seen order."""
        seen = [op.query for _, op in self.reads if isinstance(op, SearchOp) and op.query]
        return list(dict.fromkeys(seen))

    def write_args(self, vectors: dict[ItemId, dict[str, list[float]]] | None) -> list[str | bytes]:
        """Arguments of the write script; `vectors` is None when the store has no index."""
        args: list[str | bytes] = []
        for (namespace, key), op in self.puts.items():
            ns = encode_namespace(namespace)
            if op.value is None:
                args += ["d", ns, key]
                continue
            ttl = "" if op.ttl is None else str(max(1, round(op.ttl * 60_000)))
            if vectors is None:
                mode, blob = "k", b""
            elif item_vectors := vectors.get((namespace, key)):
                dims = len(next(iter(item_vectors.values())))
                mode, blob = "s", encode_vectors(item_vectors, dims)
            else:
                mode, blob = "d", b""
            args += ["p", ns, key, encode_value(op.value), ttl, mode, blob]
        return args

    def apply_reads(
        self,
        reply: Sequence[Any],
        *,
        query_vectors: dict[str, list[float]],
        dims: int,
    ) -> list[str]:
        """Fill `results` from the read script's reply.

        Returns:
            Write-script arguments refreshing the TTL of returned search items, if any.
        """
        touches: list[str] = []
        for (index, op), answer in zip(self.reads, reply, strict=True):
            if isinstance(op, GetOp):
                self.results[index] = (
                    None if answer is None else _item(op.namespace, op.key, decode_item(answer))
                )
            elif isinstance(op, ListNamespacesOp):
                self.results[index] = select_namespaces(op, [decode_namespace(m) for m in answer])
            elif isinstance(op, SearchOp):
                query = query_vectors.get(op.query) if op.query else None
                found, ttls = _search(op, answer, query, dims)
                self.results[index] = found
                if op.refresh_ttl:
                    for item in found:
                        if ttls.get((item.namespace, item.key)):
                            touches += ["t", encode_namespace(item.namespace), item.key]
        return touches


def _item(namespace: tuple[str, ...], key: str, stored: StoredItem) -> Item:
    return Item(
        value=stored.value,
        key=key,
        namespace=namespace,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def _pairs(flat: Sequence[bytes]) -> Iterable[tuple[bytes, bytes]]:
    return zip(flat[::2], flat[1::2], strict=True)


def _search(
    op: SearchOp, answer: Sequence[Any], query: list[float] | None, dims: int
) -> tuple[list[SearchItem], dict[ItemId, int | None]]:
    groups = [answer[i : i + 4] for i in range(0, len(answer), 4)]
    groups.sort(key=lambda group: float(group[1]))
    candidates: list[tuple[Item, list[NDArray[np.float32]]]] = []
    ttls: dict[ItemId, int | None] = {}
    for raw_ns, _, flat_items, flat_vectors in groups:
        namespace = decode_namespace(raw_ns)
        vectors = {key: raw for key, raw in _pairs(flat_vectors)}
        stored = sorted(
            ((key.decode(), decode_item(raw), vectors.get(key)) for key, raw in _pairs(flat_items)),
            key=lambda entry: entry[1].seq,
        )
        for key, item, raw_vectors in stored:
            if not matches_filter(item.value, op.filter):
                continue
            ttls[(namespace, key)] = item.ttl_ms
            unpacked = decode_vectors(raw_vectors, dims) if raw_vectors and query else []
            candidates.append((_item(namespace, key, item), unpacked))
    return rank(op, candidates, query), ttls


def plan_batch(ops: Iterable[Op]) -> BatchPlan:
    """Validate the ops and split them into reads and (deduplicated) writes."""
    plan = BatchPlan(results=[])
    for index, op in enumerate(ops):
        validate_op_namespace(op)
        plan.results.append(None)
        if isinstance(op, GetOp):
            plan.read_args += ["g", encode_namespace(op.namespace), op.key]
            plan.read_args.append("1" if op.refresh_ttl else "0")
        elif isinstance(op, SearchOp):
            plan.read_args += ["s", encode_namespace(op.namespace_prefix), "1" if op.query else "0"]
        elif isinstance(op, ListNamespacesOp):
            plan.read_args += ["l", lex_prefix(op)]
        elif isinstance(op, PutOp):
            plan.puts[(op.namespace, op.key)] = op
            continue
        else:
            raise ValueError(f"Unknown operation type: {type(op)}")
        plan.reads.append((index, op))
    return plan


def texts_to_embed(puts: dict[ItemId, PutOp], fields: IndexFields) -> Texts:
    """The texts of the batch's puts to embed, as `InMemoryStore` extracts them."""
    texts: Texts = defaultdict(list)
    for ident, op in puts.items():
        if op.value is None or op.index is False:
            continue
        paths = fields if op.index is None else [(p, tokenize_path(p)) for p in op.index]
        for path, tokens in paths:
            found = get_text_at_path(op.value, tokens)
            if len(found) > 1:
                for i, text in enumerate(found):
                    texts[text].append((ident, f"{path}.{i}"))
            elif found:
                texts[found[0]].append((ident, path))
    return texts


def vectors_by_item(
    texts: Texts, embedded: Sequence[Sequence[float]]
) -> dict[ItemId, dict[str, list[float]]]:
    """Attach embeddings (one per text of `texts`, in order) to the items and paths."""
    out: dict[ItemId, dict[str, list[float]]] = defaultdict(dict)
    for (_, owners), vector in zip(texts.items(), embedded, strict=True):
        for ident, path in owners:
            out[ident][path] = list(vector)
    return out
