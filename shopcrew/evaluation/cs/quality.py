"""Reply quality of CS transcripts (issue 15): what a shop would not want its customers to read.

The grader (`grader.py`) says whether a conversation did the right thing; this module says
how its replies read. Per conversation it finds:

- `internal_id`: an internal identifier in customer text: a payment method id
  (`gift_card_2977513`, `paypal_7881036`, `credit_card_123`), a knowledge-base source tag
  (`(source: giftcards-en)`, `（来源：hours-zh）`) or another raw `snake_case` token (a user id,
  a tool name, a status or reason written as code);
- `repeated_reply`: an assistant reply said word for word earlier in the same conversation;
- `silent_transfer`: a transfer to a person that no customer-facing message announced since the
  customer's latest message (in the same assistant message or before it);
- `english_in_zh`: in a Chinese conversation, an English policy or status word
  (`quality_words.yaml`), unless a Chinese gloss in parentheses follows it, it is itself the
  parenthesised gloss of Chinese text, or it belongs to a catalog product name or option value;
- `no_recap`: a completed write (a write tool whose result is not an error) whose next
  customer-facing reply, before the customer speaks again, does not recap it: a write that
  moves money (cancel, payment change, item change, return, exchange) needs an amount with its
  currency (`$`, `¥`, `USD`, `元`, `美元`); an address change needs the new address's first line.

Customer text is the content of assistant messages; tool arguments (a ticket summary) are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final, Literal, get_args

import yaml

from shopcrew.evaluation.cs.format import (
    CsTranscript,
    TranscriptMessage,
    load_cases,
    read_transcripts,
)
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import (
    MODIFY_PENDING_ORDER_ADDRESS,
    MODIFY_USER_ADDRESS,
    RETAIL_WRITE_TOOLS,
    TRANSFER_TOOL,
)

__all__ = [
    "ISSUE_KINDS",
    "ConversationQuality",
    "IssueKind",
    "QualityIssue",
    "QualityReport",
    "catalog_phrases",
    "check_conversation",
    "check_transcript_file",
    "check_transcripts",
]

IssueKind = Literal["internal_id", "repeated_reply", "silent_transfer", "english_in_zh", "no_recap"]
ISSUE_KINDS: Final[tuple[IssueKind, ...]] = get_args(IssueKind)
"""Every kind of issue, in report order."""

_PAYMENT_ID: Final = re.compile(r"\b(?:gift_card|paypal|credit_card)_\d+\b")
_SOURCE_TAG: Final = re.compile(r"[（(]\s*(?:sources?|来源)\s*[:：][^)）]*[)）]", re.IGNORECASE)
_SNAKE: Final = re.compile(r"(?<![\w@.\-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w@])")
_CURRENCY: Final = re.compile(
    r"(?:US\$|[$¥￥])\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:USD|美元|元)"
)
_ARTICLE_ID: Final = re.compile(r"\b[a-z]+-(?:zh|en)\b")
_CJK: Final = re.compile(r"[\u4e00-\u9fff]")
_ADDRESS_WRITES: Final = frozenset({MODIFY_PENDING_ORDER_ADDRESS, MODIFY_USER_ADDRESS})


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """One thing a customer should not have read."""

    kind: IssueKind
    message_index: int
    """Index in `messages` of the assistant message at fault (for `no_recap`, of the write)."""
    detail: str
    """What was found: the id, the repeated text, the English word, the write."""


@dataclass(frozen=True, slots=True)
class ConversationQuality:
    """The issues of one transcript."""

    case_id: str
    lang: str
    issues: tuple[QualityIssue, ...]

    def count(self, kind: IssueKind) -> int:
        """Issues of one kind."""
        return sum(issue.kind == kind for issue in self.issues)


@dataclass(frozen=True, slots=True)
class QualityReport:
    """The issues of a transcript file, per conversation."""

    conversations: tuple[ConversationQuality, ...]

    def issues(self, kind: IssueKind) -> int:
        """Issues of one kind over every conversation."""
        return sum(c.count(kind) for c in self.conversations)

    def affected(self, kind: IssueKind) -> int:
        """Conversations with at least one issue of the kind."""
        return sum(c.count(kind) > 0 for c in self.conversations)

    def figures(self) -> dict[str, dict[str, int]]:
        """Per kind: issues and affected conversations (for a result file)."""
        return {
            kind: {"issues": self.issues(kind), "conversations": self.affected(kind)}
            for kind in ISSUE_KINDS
        }

    def lines(self, *, examples: int = 0) -> list[str]:
        """A printout: one line per kind, then up to `examples` examples per kind."""
        total = len(self.conversations)
        out = [f"reply quality over {total} conversations (issues / conversations affected):"]
        out.extend(
            f"  {kind:<16} {self.issues(kind):>4} / {self.affected(kind)}" for kind in ISSUE_KINDS
        )
        for kind in ISSUE_KINDS if examples else ():
            found = [(c.case_id, i) for c in self.conversations for i in c.issues if i.kind == kind]
            for case_id, issue in found[:examples]:
                out.append(f"  e.g. {kind} {case_id}: {issue.detail[:160]}")
        return out


@cache
def _words() -> tuple[tuple[str, ...], re.Pattern[str]]:
    source = resources.files("shopcrew.evaluation.cs").joinpath("quality_words.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    words = tuple(sorted({w for group in data.values() for w in group}, key=len, reverse=True))
    pattern = "|".join(re.escape(w) for w in words)
    return words, re.compile(rf"(?<![A-Za-z])(?:{pattern})(?![A-Za-z])", re.IGNORECASE)


def catalog_phrases(store: RetailStore) -> frozenset[str]:
    """Product names and option values of a store's catalog, lower-cased."""
    phrases: set[str] = set()
    for _, product in store.items("products"):
        phrases.add(str(product["name"]).lower())
        for variant in product["variants"].values():
            phrases.update(str(value).lower() for value in variant["options"].values())
    return frozenset(p for p in phrases if len(p) > 1)


def _customer_text(message: TranscriptMessage) -> str:
    return message.content.strip() if message.role == "assistant" else ""


def _internal_ids(text: str) -> list[str]:
    found = _SOURCE_TAG.findall(text)
    found.extend(_PAYMENT_ID.findall(text))
    rest = _PAYMENT_ID.sub(" ", _SOURCE_TAG.sub(" ", text))
    found.extend(_SNAKE.findall(rest))
    return found


def _masked(text: str, catalog: frozenset[str]) -> str:
    lowered = text.lower()
    for phrase in sorted(catalog, key=len, reverse=True):
        if phrase in lowered:
            lowered = re.sub(
                rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", lambda m: "#" * len(m[0]), lowered
            )
    return lowered


def _glossed(text: str, start: int, end: int) -> bool:
    after = re.match(r"\s*[（(]([^)）]*)[)）]", text[end:])
    if after and _CJK.search(after[1]):
        return True
    before = re.search(r"([\u4e00-\u9fff][^\n]{0,3}?)\s*[（(]\s*$", text[:start])
    closing = re.match(r"\s*[)）]", text[end:])
    return bool(before and closing)


def _english_words(text: str, catalog: frozenset[str]) -> list[str]:
    _, pattern = _words()
    # Ids are `internal_id`'s business; an article id ("shipping-zh") holds no English word.
    for ids in (_SOURCE_TAG, _PAYMENT_ID, _SNAKE, _ARTICLE_ID):
        text = ids.sub(lambda m: " " * len(m[0]), text)
    masked = _masked(text, catalog)
    return [
        text[m.start() : m.end()]
        for m in pattern.finditer(masked)
        if not _glossed(text, m.start(), m.end())
    ]


def _recap_ok(name: str, arguments: Mapping[str, object], reply: str) -> bool:
    if name in _ADDRESS_WRITES:
        first_line = str(arguments.get("address1", "")).strip().lower()
        return bool(first_line) and first_line in reply.lower()
    return bool(_CURRENCY.search(reply))


def _write_issues(messages: Sequence[TranscriptMessage]) -> list[QualityIssue]:
    results = {m.tool_call_id: m.content for m in messages if m.role == "tool"}
    issues: list[QualityIssue] = []
    for index, message in enumerate(messages):
        for call in message.tool_calls or ():
            if call.name not in RETAIL_WRITE_TOOLS:
                continue
            if results.get(call.id, "Error").startswith("Error"):
                continue
            reply = ""
            for later in messages[index + 1 :]:
                if later.role == "user":
                    break
                if _customer_text(later):
                    reply = _customer_text(later)
                    break
            if not _recap_ok(call.name, call.arguments, reply):
                detail = f"{call.name} followed by {reply[:120]!r}"
                issues.append(QualityIssue("no_recap", index, detail))
    return issues


def _transfer_issues(messages: Sequence[TranscriptMessage]) -> list[QualityIssue]:
    issues: list[QualityIssue] = []
    announced = False
    for index, message in enumerate(messages):
        if message.role == "user":
            announced = False
        announced = announced or bool(_customer_text(message))
        if any(call.name == TRANSFER_TOOL for call in message.tool_calls or ()) and not announced:
            issues.append(QualityIssue("silent_transfer", index, "transfer with no message"))
    return issues


def check_conversation(
    transcript: CsTranscript, *, lang: str, catalog: frozenset[str] = frozenset()
) -> ConversationQuality:
    """Find the reply-quality issues of one transcript.

    Args:
        transcript: The conversation (CS_FORMAT section 5).
        lang: `"zh"` or `"en"`: the customer's language (`english_in_zh` applies to zh only).
        catalog: Product names and option values allowed in zh replies (`catalog_phrases`).
    """
    messages = transcript.messages
    issues: list[QualityIssue] = []
    seen: set[str] = set()
    for index, message in enumerate(messages):
        text = _customer_text(message)
        if not text:
            continue
        issues.extend(QualityIssue("internal_id", index, found) for found in _internal_ids(text))
        if text in seen:
            issues.append(QualityIssue("repeated_reply", index, text))
        seen.add(text)
        if lang == "zh":
            issues.extend(
                QualityIssue("english_in_zh", index, word) for word in _english_words(text, catalog)
            )
    issues.extend(_transfer_issues(messages))
    issues.extend(_write_issues(messages))
    issues.sort(key=lambda issue: (issue.message_index, ISSUE_KINDS.index(issue.kind)))
    return ConversationQuality(transcript.id, lang, tuple(issues))


def check_transcripts(
    transcripts: Iterable[CsTranscript],
    *,
    langs: Mapping[str, str],
    catalog: frozenset[str] = frozenset(),
) -> QualityReport:
    """Check every transcript; `langs` maps case ids to their language.

    A transcript whose id `langs` lacks is taken as Chinese when its first user message
    holds Chinese characters, English otherwise.
    """
    checked = []
    for transcript in transcripts:
        lang = langs.get(transcript.id) or _guess_lang(transcript)
        checked.append(check_conversation(transcript, lang=lang, catalog=catalog))
    return QualityReport(tuple(checked))


def check_transcript_file(
    transcripts: Path, *, cases: Path | None = None, db: Path | None = None
) -> QualityReport:
    """Check a transcript file (CS_FORMAT section 5); malformed lines are left to the grader.

    Args:
        transcripts: The transcript file.
        cases: The case file, for each conversation's language (guessed without it).
        db: A τ-bench store directory whose catalog words zh replies may use.

    Raises:
        EvalFormatError: The case file is malformed.
        StoreFileError: The store cannot be loaded.
    """
    langs = {case.id: case.lang for case in load_cases(cases)} if cases is not None else {}
    catalog = catalog_phrases(RetailStore.load(db)) if db is not None else frozenset()
    parsed = read_transcripts(transcripts).values()
    return check_transcripts(
        (t for t in parsed if isinstance(t, CsTranscript)), langs=langs, catalog=catalog
    )


def _guess_lang(transcript: CsTranscript) -> str:
    first = next((m.content for m in transcript.messages if m.role == "user"), "")
    return "zh" if _CJK.search(first) else "en"
