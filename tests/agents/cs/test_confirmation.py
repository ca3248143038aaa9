"""The strict confirmation reader over a labelled table of replies (zh and en, emoji, typos)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shopcrew.agents.cs.confirmation import read_confirmation

TABLE = yaml.safe_load((Path(__file__).parent / "data" / "confirmation_replies.yaml").read_text())


def _rows(section: dict[str, list[Any]]) -> list[tuple[str, str | None]]:
    rows: list[tuple[str, str | None]] = []
    for entries in section.values():
        for entry in entries:
            if isinstance(entry, dict):
                rows.append((entry["text"], entry["action"]))
            else:
                text, _, action = str(entry).partition("|")
                rows.append((text, action or None))
    return rows


YES = _rows(TABLE["confirms"])
NOT_YES = _rows(TABLE["does_not_confirm"])
YES_LIKE = [
    row
    for name in ("en_yes_like", "zh_yes_like")
    for row in _rows({name: TABLE["does_not_confirm"][name]})
]


def test_the_table_is_large_and_half_of_its_not_yes_start_like_a_yes() -> None:
    assert len(YES) + len(NOT_YES) >= 300
    assert len(YES_LIKE) >= (len(YES) + len(NOT_YES)) / 2


@pytest.mark.parametrize(("text", "action"), NOT_YES)
def test_no_reply_that_is_not_an_unhedged_yes_reads_as_one(text: str, action: str | None) -> None:
    assert read_confirmation(text, action=action).is_yes is False


def test_false_no_stays_under_five_percent() -> None:
    missed = [text for text, action in YES if not read_confirmation(text, action=action).is_yes]
    assert len(missed) <= 0.05 * len(YES), missed


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("ok but how long does the refund take?", "question"),
        ("Yes... wait", "hesitation"),
        ("嗯，我再想想", "unknown_words"),
        ("Fine.", "no_affirmation"),
        ("", "empty"),
        ("yes " * 40, "too_long"),
    ],
)
def test_it_says_why_a_reply_is_not_a_yes(text: str, why: str) -> None:
    assert read_confirmation(text).why_not == why


def test_an_action_word_confirms_only_its_own_action() -> None:
    assert read_confirmation("Yes, cancel it.", action="cancel_pending_order").is_yes
    assert not read_confirmation("Yes, cancel it.", action="exchange_delivered_order_items").is_yes
    assert not read_confirmation("Yes, cancel it.").is_yes
