"""Bundled scenarios and stores: found by name from any directory, paths read beside the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopcrew.cli import app
from shopcrew.data import kb_path, scenario_path, scenarios, scenarios_dir, store_dir
from shopcrew.errors import ScenarioError
from shopcrew.scenario import find_scenario, load_scenario, parse_scenario
from shopcrew.scenario.world import build_world

HEAD = """\
name: tiny
title: A tiny scenario
clock: {start: "2026-11-11T00:00:00+08:00"}
timeline:
  - {kind: customer_message, conversation: c1, text: hi}
"""


def test_a_bundled_scenario_is_found_by_name_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_scenario("double11_peak_hour") == scenario_path("double11_peak_hour")
    assert scenario_path("double11_peak_hour").is_file()


def test_a_file_of_the_same_name_in_the_working_directory_is_not_taken_for_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    own = tmp_path / "mine.yaml"
    own.write_text(HEAD, encoding="utf-8")
    assert find_scenario("mine.yaml") == Path("mine.yaml")
    assert find_scenario(own) == own


def test_an_unknown_name_lists_the_bundled_scenarios() -> None:
    with pytest.raises(ScenarioError) as caught:
        find_scenario("double12")
    assert str(caught.value) == (
        "double12: no such file, and no bundled scenario of that name; bundled: "
        f"{', '.join(scenarios())} (`shopcrew scenarios` lists them)"
    )


def test_the_cli_lists_every_bundled_scenario_with_its_title() -> None:
    listed = CliRunner().invoke(app, ["scenarios"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert [line.split()[0] for line in lines] == scenarios()
    assert lines[0].endswith(load_scenario(scenario_path(scenarios()[0])).title)
    assert CliRunner().invoke(app, ["run", "--list"]).output == listed.output


def test_an_unknown_bundled_store_is_refused_at_its_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(HEAD + "store: {name: mars_shop}\n")
    assert (caught.value.line, caught.value.field) == (6, "store.name")
    assert "no bundled store 'mars_shop'; bundled: cn_tmall, us_retail" in str(caught.value)


def test_a_store_is_named_or_given_by_directory_not_both() -> None:
    with pytest.raises(ScenarioError, match=r"either dir .* or name"):
        parse_scenario(HEAD + "store: {name: us_retail, dir: db}\n")


def test_a_bundled_store_by_name_comes_with_its_knowledge_base() -> None:
    spec = parse_scenario(HEAD + "store: {name: us_retail}\n")
    world = build_world(spec.store, base=Path("/nonexistent"), source="x.yaml", seed=0)
    assert world.retail.get("orders", "#W9077205") is not None
    bundled = kb_path("us_retail").read_text(encoding="utf-8").count("\n")
    assert len(world.adapters.kb.list_articles()) == bundled > 0


def test_paths_in_a_scenario_are_read_beside_the_file_not_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "elsewhere"
    (where / "data").mkdir(parents=True)
    shutil.copy(scenarios_dir() / "data" / "listings.jsonl", where / "data" / "listings.jsonl")
    shutil.copytree(store_dir("us_retail"), where / "db")
    scenario = where / "day.yaml"
    scenario.write_text(
        HEAD + "store: {dir: db, listings_file: data/listings.jsonl}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    spec = load_scenario(scenario)
    world = build_world(spec.store, base=scenario.parent, source=str(scenario), seed=0)
    assert len(world.listings.list_listings()) == 17
