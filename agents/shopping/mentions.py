"""Finding what a message names: product types, option values, interests.

One scan per message over the normalised text: every product name, option-value word, number
with a unit, size ("size 9", "M码") and interest word of the lexicon is a candidate; the
longest candidates win and the chosen mentions never overlap ("wireless earbuds" is a product,
not the value "wireless"; "茶轴" is a switch, not the interest "茶").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from shopcrew.agents.shopping.catalog import CatalogIndex
from shopcrew.agents.shopping.lexicon import Lang, Lexicon, detect_lang, lexicon
from shopcrew.agents.shopping.text import PhraseSet, Span, form_key, phrase_pattern

__all__ = ["Mention", "MentionKind", "Scanner", "scanner"]

MentionKind = Literal["product", "value", "interest"]

ValueRef = tuple[str, str]
"""(option name in lower case, catalog value)."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One thing the shopper named, where they named it."""

    span: Span
    kind: MentionKind
    product: str = ""
    """For a product mention: the catalog product type."""
    implied: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """For a product mention: options its name implies ("camera backpack")."""
    values: tuple[ValueRef, ...] = ()
    """For a value mention: every (option, value) the words can mean."""
    interest: str = ""
    """For an interest mention: the interest."""


@dataclass(frozen=True, slots=True)
class _Form:
    kind: MentionKind
    product: str = ""
    implied: tuple[tuple[str, tuple[str, ...]], ...] = ()
    value: ValueRef | None = None


class Scanner:
    """The compiled vocabulary of one language over one catalog."""

    def __init__(self, lex: Lexicon, catalog: CatalogIndex) -> None:
        self.lex, self.catalog = lex, catalog
        forms: dict[str, list[_Form]] = {}
        patterns: dict[str, str] = {}

        def add(text: str, form: _Form, *, plural: bool = False) -> None:
            key = form_key(text)
            if not key:
                return
            forms.setdefault(key, []).append(form)
            pattern = phrase_pattern(text, lex.lang, plural=plural)
            if len(pattern) > len(patterns.get(key, "")):
                patterns[key] = pattern

        for entry in lex.products:
            if entry.product in catalog.products:
                add(entry.form, _Form("product", entry.product, entry.require), plural=True)
        for name in catalog.products:
            # a shop's own name for a product, in the shopper's language, always names it
            if detect_lang(name) == lex.lang and form_key(name) not in forms:
                add(name, _Form("product", name), plural=True)
        for product in catalog.products.values():
            for option, values in product.options.items():
                for value in values:
                    if _bare_word(option, value):
                        add(value, _Form("value", value=(option.lower(), value)))
        for option, table in lex.values.items():
            for value, written in table.items():
                for text in written:
                    add(text, _Form("value", value=(option, value)))
        self._forms = forms
        ordered = sorted(patterns.items(), key=lambda kv: len(kv[0]), reverse=True)
        self._regex = re.compile("|".join(f"(?:{p})" for _, p in ordered))
        self._interests = {
            name: PhraseSet(words, lex.lang) for name, words in lex.interests.items()
        }
        self._sizes = _size_regex(lex, catalog)

    def scan(self, text: str) -> list[Mention]:
        """The mentions of a normalised text, in text order, never overlapping."""
        found = [*self._words(text), *self._numbers(text), *self._size_mentions(text)]
        for name, cues in self._interests.items():
            found.extend(
                Mention(Span(m.start(), m.end()), "interest", interest=name)
                for m in cues.find(text)
                if m.end() > m.start()
            )
        chosen: list[Mention] = []
        for mention in sorted(found, key=lambda m: (-len(m.span), m.span.start, _RANK[m.kind])):
            if not any(mention.span.overlaps(c.span) for c in chosen):
                chosen.append(mention)
        return sorted(chosen, key=lambda m: m.span.start)

    def _words(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        for match in self._regex.finditer(text):
            key = form_key(match.group(0))
            entries = next(
                (self._forms[k] for k in (key, *_singulars(key)) if k in self._forms), []
            )
            span = Span(match.start(), match.end())
            products = [f for f in entries if f.kind == "product"]
            if products:
                first = products[0]
                out.append(Mention(span, "product", first.product, first.implied))
                continue
            refs = tuple(dict.fromkeys(f.value for f in entries if f.value is not None))
            if refs:
                out.append(Mention(span, "value", values=refs))
        return out

    def _numbers(self, text: str) -> list[Mention]:
        out = []
        for start, end, key in self.catalog.unit_tokens(text):
            if start > 0 and text[start - 1] in "$¥":
                continue
            refs = tuple((option.lower(), value) for _, option, value in self.catalog.keys_of(key))
            if refs:
                out.append(Mention(Span(start, end), "value", values=tuple(dict.fromkeys(refs))))
        return out

    def _size_mentions(self, text: str) -> list[Mention]:
        out = []
        for match in self._sizes.finditer(text):
            refs = self._size_refs(next(g for g in match.groups() if g is not None))
            if refs:
                out.append(Mention(Span(match.start(), match.end()), "value", values=refs))
                out.extend(self._more_sizes(text, match.end()))
        return out

    def _size_refs(self, wanted: str) -> tuple[ValueRef, ...]:
        """Every catalog size written `wanted` ('m' -> the M of T-shirts and helmets)."""
        return tuple(
            dict.fromkeys(
                ("size", value)
                for product in self.catalog.products.values()
                for value in product.options.get("size", ())
                if value.lower() == wanted
            )
        )

    def _more_sizes(self, text: str, end: int) -> list[Mention]:
        """Sizes listed after a size ("size S or L", "M码或L码")."""
        out = []
        while found := _MORE_SIZE.match(text, end):
            refs = self._size_refs(found.group(1))
            if not refs:
                break
            out.append(Mention(Span(found.start(1), found.end(1)), "value", values=refs))
            end = found.end()
        return out


_MORE_SIZE = re.compile(r"\s*(?:or|and|/|,|或者|或|和|、)\s*([a-z0-9]{1,4})(?![a-z0-9])")
_RANK = {"product": 0, "value": 1, "interest": 2}
_NOT_BARE = frozenset({"yes", "no", "none", "standard"})


def _bare_word(option: str, value: str) -> bool:
    """Whether a catalog value can be matched as it is written ("leather", not "M" or "no")."""
    if value.lower() in _NOT_BARE:
        return False
    if any(ch.isdigit() for ch in value):
        return re.fullmatch(r"[a-z]{1,2}\d{1,2}", value.lower()) is not None  # i7, A4

    return option.lower() != "size" or len(value) > 3


def _singulars(key: str) -> tuple[str, ...]:
    return tuple(key[: -len(suffix)] for suffix in ("s", "es") if key.endswith(suffix))


def _size_regex(lex: Lexicon, catalog: CatalogIndex) -> re.Pattern[str]:
    sizes = {v.lower() for p in catalog.products.values() for v in p.options.get("size", ())}
    words = sorted((s for s in sizes if re.fullmatch(r"[a-z0-9.]+", s)), key=len, reverse=True)
    value = "(" + "|".join(re.escape(w) for w in words) + ")"
    parts = []
    for form in lex.size_forms:
        head, _, tail = form.partition("{v}")
        left = r"(?<![a-z0-9])" + re.escape(head.strip()) + r"\s*" if head.strip() else ""
        right = r"\s*" + re.escape(tail.strip()) if tail.strip() else ""
        parts.append(left + value + right + r"(?![a-z0-9])")
    return re.compile("|".join(f"(?:{p})" for p in parts))


def scanner(lang: Lang, catalog: CatalogIndex) -> Scanner:
    """The scanner of a language over a catalog, built once per catalog index."""
    found = catalog.memo.get(f"scanner:{lang}")
    if not isinstance(found, Scanner):
        found = Scanner(lexicon(lang), catalog)
        catalog.memo[f"scanner:{lang}"] = found
    return found


def product_names(mentions: Sequence[Mention]) -> list[str]:
    """The product types named, in order."""
    return [m.product for m in mentions if m.kind == "product"]
