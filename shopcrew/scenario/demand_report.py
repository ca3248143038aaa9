"""The demand planner's part of a scenario report: its plans and a forecast chart per SKU.

A highlighted SKU (flagged as a possible fad, or sent for approval) gets a chart of its last
eight weeks of sales, the forecast median and its 80% interval over the horizon, with the
units placed; the Markdown section lists each plan's figures and links the charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from shopcrew.scenario._report_owner import currency_symbol
from shopcrew.scenario.charts import chart_style, drawable, save_chart

__all__ = ["demand_charts", "demand_markdown", "forecast_chart"]


def forecast_chart(
    path: Path,
    *,
    title: str,
    fallback: str,
    history: Sequence[float],
    forecast: Sequence[float],
    lo: Sequence[float],
    hi: Sequence[float],
    gap: int,
) -> Path:
    """History, then (after `gap` days in transit) the forecast median and its 80% band."""
    past = list(range(-len(history) + 1, 1))
    ahead = list(range(gap + 1, gap + 1 + len(forecast)))
    with chart_style():
        fig = Figure(figsize=(9.0, 4.0), dpi=110, layout="constrained")
        ax = fig.subplots()
        ax.plot(past, history, color="#4c72b0", linewidth=1.4, label="sales (all regions)")
        ax.fill_between(ahead, lo, hi, color="#dd8452", alpha=0.25, label="80% interval")
        ax.plot(ahead, forecast, color="#dd8452", linewidth=1.8, label="forecast (median)")
        ax.axvline(0, color="#888888", linestyle="--", linewidth=1)
        ax.set_xlabel("days from the cutoff")
        ax.set_ylabel("units a day")
        ax.set_title(drawable(title, fallback))
        ax.legend(loc="upper left", frameon=False)
        return save_chart(fig, path)


def _highlighted(plan: Mapping[str, Any]) -> list[str]:
    return sorted(set(plan.get("flagged", [])) | set(plan.get("waiting", [])))


def demand_charts(report: Mapping[str, Any], chart_dir: Path) -> list[Path]:
    """One chart per highlighted SKU of each plan, `charts/demand_<run>_<sku>.png`."""
    written = []
    for plan in report.get("demand_plans", []):
        evidence = plan.get("evidence", {})
        gap = int(plan.get("gap_days", 0))
        for sku in _highlighted(plan):
            shown = evidence.get(sku)
            if not shown:
                continue
            name = plan.get("names", {}).get(sku, {})
            written.append(
                forecast_chart(
                    chart_dir / f"demand_{plan['run_id']}_{sku}.png",
                    title=f"{sku} {name.get('zh', '')}",
                    fallback=f"{sku} {name.get('en', '')}",
                    history=shown["history"],
                    forecast=shown["forecast"],
                    lo=shown["forecast_lo"],
                    hi=shown["forecast_hi"],
                    gap=gap,
                )
            )
    return written


def demand_markdown(report: Mapping[str, Any]) -> str:
    """The report's demand-planning section ('' when the run had no planning tick)."""
    plans = report.get("demand_plans", [])
    if not plans:
        return ""
    lines = ["", "## Demand planning", ""]
    sym = currency_symbol(report.get("scenario", {}).get("currency"))
    for plan in plans:
        lines += [
            f"Run `{plan['run_id']}` ({plan.get('market', '')}, horizon "
            f"{' to '.join(plan.get('horizon', []))}): forward stock worth "
            f"{sym}{plan.get('stock_value', 0):,.0f} (placed once, for the horizon), expected "
            f"cost over the horizon {sym}{plan.get('expected_cost', 0):,.0f} "
            f"(no forward stock: {sym}{plan.get('empty_cost', 0):,.0f}), expected cross-region "
            f"share {100 * plan.get('expected_cross_share', 0):.1f}%, money at risk "
            f"{sym}{plan.get('money_at_risk', 0):,.0f} (left over if demand comes in low).",
            "",
            "| SKU | planned units | placed units | |",
            "|---|---|---|---|",
        ]
        placed = plan.get("placed", {})
        for sku, units in sorted(plan.get("plan", {}).items()):
            done = placed.get(sku, {}).get("units", {})
            note = []
            if sku in plan.get("flagged", []):
                note.append("possible fad")
            if sku in plan.get("waiting", []):
                note.append("asked a person")
            lines.append(
                f"| {sku} {plan.get('names', {}).get(sku, {}).get('zh', '')} | "
                f"{sum(units.values()):.0f} | "
                f"{sum(done.values()):.0f} | {', '.join(note)} |"
            )
        lines.append("")
        lines += [
            f"![{sku}](charts/demand_{plan['run_id']}_{sku}.png)"
            for sku in _highlighted(plan)
            if sku in plan.get("evidence", {})
        ]
    return "\n".join(lines) + "\n"
