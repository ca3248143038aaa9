from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcrew.agents.store_manager.audit.normalize import NormalizedText, width
from shopcrew.agents.store_manager.audit.rules import shorten_title
from shopcrew.agents.store_manager.audit.text import audit_text

PIECES = [
    *"最第一次近后棉纯微信号码群vxwqidQ:：@.-_#()+ \n\u3000１０％ａＱ",
    "100%",
    "cotton",
    "best",
    "the ",
    "no.1",
    "heal",
    "cure",
    "wechat",
    "138",
    "1234",
    "5678",
    "415",
    "\u0301",
    "ﬁ",
    "㎏",
    "İ",
    "Σ",
    "\u1100\u1161",
]
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("ς", "σ")


@FAST
@given(TEXT)
def test_raw_span_covers_the_normalised_match(raw: str) -> None:
    text = NormalizedText.of(raw)
    assert text.norm == unicodedata.normalize("NFKC", raw).lower()
    for start in range(len(text.norm)):
        for end in range(start + 1, min(len(text.norm), start + 4) + 1):
            raw_start, raw_end = text.raw_span(start, end)
            assert 0 <= raw_start < raw_end <= len(raw)
            assert _norm(text.norm[start:end]) in _norm(raw[raw_start:raw_end])


@FAST
@given(TEXT, st.one_of(st.none(), TEXT), st.booleans())
def test_text_findings_point_into_their_field(
    title: str, description: str | None, health: bool
) -> None:
    fields = {"title": title, "description": description or ""}
    for finding in audit_text(title, description, health=health):
        where = finding.where
        assert where.start is not None and where.end is not None
        raw = fields[where.field]
        assert 0 <= where.start < where.end <= len(raw)
        assert where.text == raw[where.start : where.end]


@FAST
@given(TEXT, st.one_of(st.none(), TEXT), st.booleans())
def test_text_draft_fixes_pass_their_rule(
    title: str, description: str | None, health: bool
) -> None:
    for finding in audit_text(title, description, health=health):
        assert finding.fix is not None
        fixed = {"title": title, "description": description, finding.fix.field: finding.fix.value}
        again = audit_text(fixed["title"] or "", fixed["description"], health=health)
        assert not [
            f for f in again if f.code == finding.code and f.where.field == finding.fix.field
        ]


@FAST
@given(TEXT, st.integers(min_value=2, max_value=150))
def test_shortened_title_always_fits(title: str, limit: int) -> None:
    short = shorten_title(title, limit)
    assert width(short) <= limit
    if title.strip() and width(title) > limit:
        assert short
