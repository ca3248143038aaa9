"""The renderer of the CS rules model's replies: templates and words read from data.

`lang/<language>/replies.yaml` holds the reply templates and `lang/<language>/words.yaml` the
replies' own words (how a status is written, payment method names, what can be done); this
module reads them once and fills them in. The words every agent shares (order statuses,
payment kinds) are the domain's (`shopcrew.tools.records.terms`). A template may be a list of
variants: the first is used unless a `variant` block asks for a later one (the dialogue does
when the first would repeat a reply already given), and the last one stands for any later
variant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shopcrew.errors import CsLanguageDataError
from shopcrew.tools.records.terms import TermsLang, retail_terms

__all__ = [
    "payment_kind",
    "render",
    "status_word",
    "statuses",
    "template",
    "variant",
    "word",
    "words",
]

_VARIANT: ContextVar[int] = ContextVar("cs_reply_variant", default=0)


@contextmanager
def variant(index: int) -> Iterator[None]:
    """Render list templates with their `index`-th variant (the last one past the end)."""
    token = _VARIANT.set(index)
    try:
        yield
    finally:
        _VARIANT.reset(token)


@cache
def _data(lang: str, name: str) -> Mapping[str, Any]:
    path = f"{lang}/{name}.yaml"
    source = resources.files("shopcrew.agents.cs").joinpath("lang").joinpath(path)
    if not source.is_file():
        raise CsLanguageDataError(path, "the file does not exist")
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CsLanguageDataError(path, f"not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise CsLanguageDataError(path, "the file must hold a mapping of names to templates")
    return data


def template(lang: str, key: str) -> Any:
    """The raw value at a dotted key of `replies.yaml` (a template, a list, a mapping).

    Raises:
        CsLanguageDataError: The key is missing.
    """
    node: Any = _data(lang, "replies")
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise CsLanguageDataError(f"{lang}/replies.yaml", f"no template {key!r}")
        node = node[part]
    return node


def render(lang: str, key: str, /, **values: object) -> str:
    """Fill in the template at a dotted key of `replies.yaml` (its current variant for a list).

    Raises:
        CsLanguageDataError: The key is missing or names a template with another placeholder.
    """
    node = template(lang, key)
    if isinstance(node, list):
        node = node[min(_VARIANT.get(), len(node) - 1)]
    try:
        return str(node).format(**values)
    except (KeyError, IndexError) as error:
        problem = f"template {key!r} names {error} that is not given"
        raise CsLanguageDataError(f"{lang}/replies.yaml", problem) from error


def words(lang: str, group: str) -> Mapping[str, str]:
    """A group of shop words of `words.yaml`, by the store's own word or code."""
    found = _data(lang, "words").get(group, {})
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, Mapping) else {}


def word(lang: str, group: str, key: str, *, default: str | None = None) -> str:
    """A shop word of `words.yaml` (``word("zh", "reasons", "no longer needed")``).

    Args:
        lang: The language.
        group: The group (`statuses`, `reasons`, `payment_kinds`, `action_nouns`...).
        key: The store's own word or code.
        default: Said when the group lacks the key (the key itself when None).
    """
    found = words(lang, group).get(key)
    return found if found is not None else (key if default is None else default)


def status_word(lang: str, status: str, *, currency: str = "USD") -> str:
    """An order status in the customer's words ("已签收（delivered）", "已签收", "delivered").

    `status_format` in `words.yaml` is one format, or formats by the shop's currency with a
    `default`: the τ store (USD) keeps its own code beside the Chinese word, a shop in CNY
    speaks Chinese only.
    """
    formats = _data(lang, "words").get("status_format", "{word}")
    if isinstance(formats, Mapping):
        fmt = str(formats.get(currency, formats.get("default", "{word}")))
    else:
        fmt = str(formats)
    return fmt.format(word=retail_terms(_terms_lang(lang)).status(status), status=status)


def statuses(lang: str) -> tuple[str, ...]:
    """The store's order status codes, longest first."""
    codes = retail_terms(_terms_lang(lang)).statuses
    return tuple(sorted(codes, key=len, reverse=True))


def payment_kind(lang: str, method: Mapping[str, Any], *, currency: str = "USD") -> str:
    """A payment method record by kind and last four digits, never by its id.

    A kind `words.yaml` does not name is called by the domain's word for it ("支付宝"); in a
    shop that sells in CNY a gift card is its store credit (购物金), as the proposal says.
    """
    source = str(method.get("source", ""))
    if source == "gift_card" and currency.upper() == "CNY":
        source = "store_credit"
    fmt = words(lang, "payment_kinds").get(source)
    if fmt is None:
        return retail_terms(_terms_lang(lang)).payment_source(source)
    brand = str(method.get("brand", "")).capitalize()
    return fmt.format(brand=brand, last_four=method.get("last_four", ""))


def _terms_lang(lang: str) -> TermsLang:
    return "zh" if lang == "zh" else "en"
