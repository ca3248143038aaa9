"""Filters, namespace matching and ranking of `RedisStore`, with `InMemoryStore`'s semantics.

These run client-side over the candidates a read script returns. They follow
`langgraph.store.memory` (filter operators, wildcard matching, max pooling over an item's
vectors, the fill-up with unscored items), so that both stores answer alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from langgraph.store.base import Item, ListNamespacesOp, MatchCondition, SearchItem, SearchOp
from numpy.typing import NDArray

__all__ = ["does_match", "lex_prefix", "matches_filter", "rank", "select_namespaces"]


def matches_filter(value: Mapping[str, Any], filter: Mapping[str, Any] | None) -> bool:
    """Whether an item value passes a search filter (`$eq $ne $gt $gte $lt $lte` or equality)."""
    if not filter:
        return True
    return all(_compare(value.get(key), wanted) for key, wanted in filter.items())


def _compare(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        if any(k.startswith("$") for k in wanted):
            return all(_apply(value, op, operand) for op, operand in wanted.items())
        if not isinstance(value, dict):
            return False
        return all(_compare(value.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list | tuple):
        return (
            isinstance(value, list | tuple)
            and len(value) == len(wanted)
            and all(_compare(v, w) for v, w in zip(value, wanted, strict=True))
        )
    return bool(value == wanted)


def _apply(value: Any, operator: str, operand: Any) -> bool:
    match operator:
        case "$eq":
            return bool(value == operand)
        case "$ne":
            return bool(value != operand)
        case "$gt":
            return float(value) > float(operand)
        case "$gte":
            return float(value) >= float(operand)
        case "$lt":
            return float(value) < float(operand)
        case "$lte":
            return float(value) <= float(operand)
    raise ValueError(
        f"Unsupported filter operator {operator!r}; use one of $eq $ne $gt $gte $lt $lte."
    )


def does_match(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    """Whether a namespace matches a prefix or suffix condition ("*" matches any label)."""
    path = condition.path
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        pairs = zip(namespace, path, strict=False)
    elif condition.match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path), strict=False)
    else:
        raise ValueError(f"Unsupported match type: {condition.match_type!r}")
    return all(want == "*" or label == want for label, want in pairs)


def lex_prefix(op: ListNamespacesOp) -> str:
    """The leading wildcard-free labels of the first prefix condition, joined for ZRANGEBYLEX."""
    for condition in op.match_conditions or ():
        if condition.match_type == "prefix":
            labels: list[str] = []
            for label in condition.path:
                if label == "*":
                    break
                labels.append(label)
            return ".".join(labels)
    return ""


def select_namespaces(
    op: ListNamespacesOp, namespaces: Sequence[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Apply a `ListNamespacesOp`'s conditions, depth, order and page to the candidates."""
    kept = [ns for ns in namespaces if all(does_match(c, ns) for c in op.match_conditions or ())]
    if op.max_depth is not None:
        kept = sorted({ns[: op.max_depth] for ns in kept})
    else:
        kept = sorted(kept)
    return kept[op.offset : op.offset + op.limit]


def _cosine(query: Sequence[float], matrix: NDArray[np.float32]) -> list[float]:
    q = np.asarray(query, dtype=np.float64)
    m = matrix.astype(np.float64)
    norms = np.linalg.norm(m, axis=1)
    scores = np.zeros(len(m), dtype=np.float64)
    mask = norms != 0
    scores[mask] = (m[mask] @ q) / (norms[mask] * np.linalg.norm(q))
    return [float(s) for s in scores]


def _search_item(item: Item, score: float | None = None) -> SearchItem:
    return SearchItem(
        namespace=item.namespace,
        key=item.key,
        value=item.value,
        created_at=item.created_at,
        updated_at=item.updated_at,
        score=score,
    )


def rank(
    op: SearchOp,
    candidates: Sequence[tuple[Item, Sequence[NDArray[np.float32]]]],
    query_vector: Sequence[float] | None,
) -> list[SearchItem]:
    """Page (and, with a query vector, score) filtered candidates as `InMemoryStore` does.

    Args:
        op: The search.
        candidates: Items that passed the filter, in store order, with their vectors.
        query_vector: The embedded query, or None for a plain search.

    Returns:
        The page: by score (max over an item's vectors) when a query vector is given, with
        items lacking vectors filling up a short page; otherwise in store order.
    """
    if query_vector is None or not candidates:
        return [_search_item(item) for item, _ in candidates[op.offset : op.offset + op.limit]]
    flat_items: list[Item] = []
    flat_vectors: list[NDArray[np.float32]] = []
    scoreless: list[Item] = []
    for item, vectors in candidates:
        flat_items += [item] * len(vectors)
        flat_vectors += vectors
        if not vectors:
            scoreless.append(item)
    scores = _cosine(query_vector, np.stack(flat_vectors)) if flat_vectors else []
    ordered = sorted(zip(scores, flat_items, strict=True), key=lambda pair: pair[0], reverse=True)
    seen: set[tuple[tuple[str, ...], str]] = set()
    kept: list[SearchItem] = []
    for score, item in ordered:
        ident = (item.namespace, item.key)
        if ident in seen:
            continue
        position = len(seen)
        seen.add(ident)
        if position >= op.offset + op.limit:
            break
        if position >= op.offset:
            kept.append(_search_item(item, score))
    if scoreless and len(kept) < op.limit:
        kept += [_search_item(item) for item in scoreless[: op.limit - len(kept)]]
    return kept
