"""τ-bench's calculate tool on random arithmetic: total and deterministic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shopcrew.tools.tau._calculate import calculate

_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
)


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_numbers)
    left, right = draw(_expressions(depth - 1)), draw(_expressions(depth - 1))
    op = draw(st.sampled_from(["+", "-", "*", "/", "//", "**"]))
    text = f"{left} {op} {right}"
    return f"({text})" if draw(st.booleans()) else f"-({text})"


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_valid_expressions_never_raise_and_repeat(expression: str) -> None:
    result = calculate(expression)
    assert result == calculate(expression)
    if not result.startswith("Error: "):
        assert float(result) == round(float(result), 2) or result in {"inf", "-inf", "nan"}


@given(st.text(max_size=30))
def test_any_text_gives_a_string(text: str) -> None:
    result = calculate(text)
    assert isinstance(result, str)
    if any(c not in "0123456789+-*/(). " for c in text):
        assert result == "Error: invalid characters in expression"


def test_sums_of_decimals_match_python() -> None:
    assert calculate("135.24 - 153.23") == str(round(135.24 - 153.23, 2))
    assert calculate("  12.5 + 0.25") == "12.75"
