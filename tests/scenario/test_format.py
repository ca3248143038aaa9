"""The scenario format: valid files load, invalid ones name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopcrew.data import scenarios_dir
from shopcrew.errors import ScenarioError, ShopcrewError
from shopcrew.scenario import load_scenario, parse_scenario, run_scenario
from shopcrew.scenario.spec import CustomerMessageSpec, GenerateSpec

SCENARIOS = scenarios_dir()

HEAD = """\
name: tiny
title: A tiny scenario
clock: {start: "2026-11-11T00:00:00+08:00"}
timeline:
"""


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.expect, "a shipped scenario states what must hold"


def test_a_missing_field_names_file_line_and_field() -> None:
    text = HEAD + (
        "  - {kind: customer_message, conversation: c1, text: hi}\n"
        "  - kind: customer_message\n"
        "    conversation: c2\n"
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, path="scenarios/x.yaml")
    error = caught.value
    assert isinstance(error, ShopcrewError) and isinstance(error, ValueError)
    assert (error.path, error.line, error.field) == ("scenarios/x.yaml", 6, "timeline[1].text")
    assert str(error) == (
        "scenarios/x.yaml:6: timeline[1].text: field required (What the customer writes)"
    )


def test_an_unknown_field_is_refused_at_its_line() -> None:
    text = HEAD + "  - kind: audit_tick\n    at: '00:10'\n    listings: [a]\n"
    with pytest.raises(ScenarioError, match=r"^<scenario>:7: timeline\[0\]\.listings: unknown"):
        parse_scenario(text)


def test_an_unknown_event_kind_lists_the_known_ones() -> None:
    text = HEAD + "  - {kind: coffee_break, at: '00:10'}\n"
    with pytest.raises(ScenarioError, match=r":5: timeline\[0\]: unknown event kind.*audit_tick"):
        parse_scenario(text)


def test_a_bad_time_says_how_to_write_one() -> None:
    text = HEAD + "  - {kind: budget_review, at: 'noonish'}\n"
    with pytest.raises(ScenarioError, match=r":5: timeline\[0\]\.at: 'noonish' is not a time"):
        parse_scenario(text)


def test_an_expectation_sets_exactly_one_check() -> None:
    text = HEAD + "  - {kind: budget_review}\nexpect:\n  - {writes: 0, resolution_rate: 1}\n"
    with pytest.raises(ScenarioError, match=r":7: expect\[0\]: set exactly one check"):
        parse_scenario(text)


def test_broken_yaml_names_its_line() -> None:
    text = HEAD + "  - kind: budget_review: now\n"
    with pytest.raises(ScenarioError, match=r"^s\.yaml:5: not valid YAML: mapping values"):
        parse_scenario(text, path="s.yaml")


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_bare_numbers_are_exact_ranges_and_after_offsets_chain() -> None:
    text = HEAD + (
        "  - {kind: customer_message, conversation: c1, text: hi, at: '00:10'}\n"
        "  - {kind: customer_message, conversation: c1, text: there, after: 90s}\n"
        "expect:\n  - {writes: 0}\n  - {resolution_rate: {min: 0.8}}\n"
    )
    scenario = parse_scenario(text)
    assert [e.check for e in scenario.expect] == ["writes", "resolution_rate"]
    exact = scenario.expect[0].writes
    assert exact is not None and (exact.min, exact.max) == (0, 0)
    assert isinstance(scenario.timeline[1], CustomerMessageSpec)
    assert scenario.timeline[1].after == "90s"


def test_an_unknown_placeholder_is_refused_before_anything_runs(tmp_path: Path) -> None:
    path = tmp_path / "gen.yaml"
    path.write_text(
        HEAD + "  - kind: generate\n    count: 2\n    templates:\n"
        "      - {name: t, lang: en, turns: ['my phone is {phone}']}\n",
        encoding="utf-8",
    )
    assert isinstance(load_scenario(path).timeline[0], GenerateSpec)
    with pytest.raises(ScenarioError, match=r"unknown placeholder 'phone'; known: email"):
        run_scenario(path)


def test_an_edit_decision_needs_the_edited_arguments() -> None:
    text = HEAD + "  - kind: human_decision\n    verdict: edit\n    by: ana\n"
    with pytest.raises(ScenarioError, match=r":5: timeline\[0\]: give payload"):
        parse_scenario(text)
