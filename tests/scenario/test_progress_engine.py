"""The live display and the Markdown report on a real run of the engine (flagship, small volume)."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

from rich.console import Console

from shopcrew.data import scenario_path
from shopcrew.scenario import run_scenario
from shopcrew.scenario.progress import RichProgress

FLAGSHIP = scenario_path("double11_peak_hour")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_a_real_run_ends_with_the_report_s_tallies_and_writes_its_markdown(
    tmp_path: Path,
) -> None:
    out = StringIO()
    console = Console(file=out, force_terminal=True, width=140, color_system="standard")

    with RichProgress(console) as progress:
        result = run_scenario(FLAGSHIP, volume=0.05, out_dir=tmp_path, observer=progress)

    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    summary, events = report["summary"], report["events"]
    frame = ANSI.sub("", out.getvalue().split("\x1b[?25l")[-1].split("\x1b[2K")[-1])
    assert f"{len(events)}/{len(events)} events" in frame
    cs_agent = sum(e["agent"] == "cs_agent" for e in events)
    planner = sum(e["agent"] == "planner" for e in events)
    assert f"cs agent {cs_agent} · " in frame and f"planner {planner} · " in frame
    assert f"{summary['escalations']} escalations" in frame
    assert f"{summary['violations']} violations" in frame
    assert ("verdict   passed" in frame) is result.passed

    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    verdict = "## ✅ Passed" if result.passed else "## ❌ Failed"
    assert markdown.index(verdict) < markdown.index("## Key figures")
    share = summary["resolved_without_person"] / summary["conversations"]
    assert f"**{share:.1%}** ({summary['resolved_without_person']} of" in markdown
    for chart in report["artifacts"]["charts"]:
        assert (tmp_path / chart).stat().st_size > 10_000
        assert f"]({chart})" in markdown
