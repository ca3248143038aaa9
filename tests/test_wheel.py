"""The built wheel holds every subpackage and its data, imports and runs outside the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_and_imports_every_module(tmp_path: Path) -> None:
    dist, target, source = tmp_path / "dist", tmp_path / "site", tmp_path / "src"
    # Build from a copy, so that build/ and egg-info never land in the working tree.
    junk = shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
    )
    shutil.copytree(ROOT, source, ignore=junk)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--skip-dependency-check",
            "--outdir",
            str(dist),
        ],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("shopcrew-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packages = {n.rsplit("/", 1)[0] for n in names if n.endswith("/__init__.py")}
    for sub in ("tools", "memory", "agents", "graphs", "models", "evaluation"):
        assert f"shopcrew/{sub}" in packages
    assert "shopcrew/py.typed" in names
    for data in (
        "shopcrew/data/stores/us_retail/orders.json",
        "shopcrew/data/stores/us_retail/campaigns.jsonl",
        "shopcrew/data/kb/us_retail.jsonl",
        "shopcrew/data/scenarios/double11_peak_hour.yaml",
        "shopcrew/data/scenarios/data/listings.jsonl",
        "shopcrew/data/scenarios/README.md",
        "shopcrew/tools/mcp/platforms/reference.yaml",
    ):
        assert data in names
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
    )
    modules = sorted(
        n[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        for n in names
        if n.startswith("shopcrew/") and n.endswith(".py")
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(target)!r}), module.__file__\n"
    )
    # Our dependencies come from this venv's site-packages; the repo must not be importable.
    site = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *site])}
    result = subprocess.run(
        [sys.executable, "-S", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    # The quick start from an installed wheel: a bundled scenario by name, from another folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [sys.executable, "-S", "-c", "from shopcrew.cli import main; main()", "run",
         "double11_peak_hour", "--volume", "0.1"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    assert "PASS " in run.stdout and "FAIL " not in run.stdout
    report = elsewhere / "reports" / "double11_peak_hour"
    assert (report / "report.md").is_file() and (report / "transcript.jsonl").is_file()
