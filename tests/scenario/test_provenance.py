"""A report names the installed version, and a commit only from a checkout tracking its source."""

from __future__ import annotations

import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from shopcrew.scenario import _provenance
from shopcrew.scenario._provenance import package_version, source_commit

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git on the PATH")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    (path / "README.md").write_text("another project\n", encoding="utf-8")
    (path / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    _git(path, "add", "README.md", ".gitignore")
    _git(path, "commit", "-q", "-m", "first")
    return path


def _copy_of_module(into: Path) -> Path:
    target = into / "shopcrew" / "scenario" / "_provenance.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_provenance.__file__, target)
    return target


def test_a_checkout_that_tracks_the_source_gives_its_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "shopcrew-src")
    module = _copy_of_module(repo)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "the package")
    assert source_commit(module) == _git(repo, "rev-parse", "--short", "HEAD")


def test_an_installed_copy_inside_another_repository_gets_no_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "someone-elses-project")
    module = _copy_of_module(repo / ".venv" / "lib" / "python3.11" / "site-packages")
    assert _git(repo, "rev-parse", "--short", "HEAD")  # that repository does have a commit
    assert source_commit(module) is None


def test_an_untracked_new_file_in_a_checkout_gets_no_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "work")
    assert source_commit(_copy_of_module(repo)) is None


def test_outside_any_repository_there_is_no_commit(tmp_path: Path) -> None:
    assert source_commit(_copy_of_module(tmp_path / "site-packages")) is None


def test_the_version_comes_from_the_package_metadata() -> None:
    assert package_version() == version("shopcrew")
    assert package_version("no-such-distribution-shopcrew") is None
