"""Product complaints read from customer messages."""

from __future__ import annotations

import pytest

from shopcrew.graphs.complaints import ComplaintCue, complaint_cue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The charger started smoking last night!", ComplaintCue("high", "smoking")),
        ("It arrived broken and it smells like smoke", ComplaintCue("high", "smoke")),
        ("My kettle stopped working after two days", ComplaintCue("medium", "stopped working")),
        ("The lamp doesn't turn on", ComplaintCue("medium", "doesn't turn on")),
        ("收到的杯子破损了", ComplaintCue("medium", "破损")),
        ("The jacket is not as described on the page", ComplaintCue("low", "not as described")),
        ("衣服与描述不符", ComplaintCue("low", "与描述不符")),
        ("My parcel still hasn't arrived", None),
        ("What is the status of my order?", None),
    ],
)
def test_complaint_cue_reads_the_gravest_product_complaint(
    text: str, expected: ComplaintCue | None
) -> None:
    assert complaint_cue(text) == expected
