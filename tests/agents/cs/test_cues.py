"""The named cues of the CS rules model: words in `agents/cs/lang/<lang>/cues.yaml`, one engine.

`lexicon.cue` joins every language's alternatives for a name into one pattern; these tests check
that the code names only cues the data has, that every cue compiles, that a new language folder's
words take effect, and that a missing cue or a broken file is a typed error.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shopcrew.agents.cs.rules import lexicon
from shopcrew.errors import CsLanguageDataError

_RULES = Path(lexicon.__file__).parent


def _cue_calls() -> dict[str, tuple[str, ...]]:
    """Every `cue("name", …)` in the rules modules: name -> the modules that use it."""
    used: dict[str, tuple[str, ...]] = {}
    for module in sorted(_RULES.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "cue"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used[node.args[0].value] = (*used.get(node.args[0].value, ()), module.name)
    return used


def test_the_rules_modules_read_their_cues_from_data() -> None:
    used = _cue_calls()
    # The modules that had their cue words as Python literals all read them from data now.
    modules = {module for modules in used.values() for module in modules}
    assert {
        "actions.py",
        "asks.py",
        "items.py",
        "nlu.py",
        "questions.py",
        "request.py",
        "segments.py",
        "slots.py",
    } <= modules


def test_every_cue_the_code_names_is_in_a_language_file_and_compiles() -> None:
    tables = lexicon.cue_tables()
    for name, modules in _cue_calls().items():
        defined_in = [lang for lang, table in tables.items() if name in table]
        assert defined_in, f"cue {name!r} used in {modules} is in no cues.yaml"
        assert isinstance(lexicon.cue(name), re.Pattern)


def test_every_cue_in_the_data_is_read_by_the_code() -> None:
    defined = {name for table in lexicon.cue_tables().values() for name in table}
    assert defined - set(_cue_calls()) == set(), "cues no module reads"


def test_every_language_s_alternatives_compile_on_their_own() -> None:
    tables = lexicon.cue_tables()
    assert {"en", "zh"} <= set(tables)
    for lang, table in tables.items():
        for name, alternatives in table.items():
            for alternative in alternatives:
                try:
                    re.compile(alternative)
                except re.error as error:  # pragma: no cover - the message is the point
                    pytest.fail(f"{lang}/cues.yaml {name!r}: {alternative!r}: {error}")


def test_a_cue_joins_the_words_of_every_language() -> None:
    only = lexicon.cue("only")
    assert only.search("Only the Yoga Mat please")
    assert only.search("只取消灯泡")
    assert not only.search("cancel the whole order")
    # Whole words in English: "justify" is not "just".
    assert not only.search("can you justify the price")
    # The frame holds the structure that is no language's.
    yes = lexicon.cue("yes_opening", frame="^{}")
    assert yes.search("and ok, go")
    assert yes.search("好的，麻烦了")
    assert not yes.search("I said yes")


def _write(folder: Path, lang: str, text: str) -> None:
    (folder / lang).mkdir(parents=True, exist_ok=True)
    (folder / lang / "cues.yaml").write_text(text, "utf-8")


def test_a_new_language_folder_s_cue_words_take_effect(tmp_path: Path) -> None:
    _write(tmp_path, "en", "only:\n  frame: '\\b{}\\b'\n  words: [only, just]\n")
    _write(tmp_path, "fr", "# Narrows a request.\nonly: ['\\bseulement\\b', 'uniquement']\n")
    (tmp_path / "empty").mkdir()  # a folder without cues.yaml is not a language of cues
    tables = lexicon.read_cue_tables(tmp_path)
    assert list(tables) == ["en", "fr"]
    only = lexicon.compile_cue(tables, "only", frame="^{}")
    assert only.pattern == r"^(?:\b(?:only|just)\b|\bseulement\b|uniquement)"
    assert only.search("Seulement la lampe")
    assert only.search("just the lamp")
    assert not only.search("la lampe seulement")


def test_an_unknown_cue_is_a_typed_error_naming_the_files_and_the_cue() -> None:
    with pytest.raises(CsLanguageDataError) as caught:
        lexicon.cue("no_such_cue")
    assert "no_such_cue" in str(caught.value)
    assert "cues.yaml" in caught.value.path


def test_a_broken_cue_file_is_a_typed_error(tmp_path: Path) -> None:
    _write(tmp_path, "xx", "only: 3\n")
    with pytest.raises(CsLanguageDataError, match=r"xx/cues\.yaml"):
        lexicon.read_cue_tables(tmp_path)
    _write(tmp_path, "xx", "only: ['(unclosed']\n")
    with pytest.raises(CsLanguageDataError, match="does not compile"):
        lexicon.compile_cue(lexicon.read_cue_tables(tmp_path), "only")
    _write(tmp_path, "xx", "only: {frame: 'no slot', words: [a]}\n")
    with pytest.raises(CsLanguageDataError, match="exactly one"):
        lexicon.read_cue_tables(tmp_path)
