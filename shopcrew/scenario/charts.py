"""PNG charts of a scenario run: resolution funnel, budgets before and after, events over time.

Charts draw on a bare `matplotlib.figure.Figure` (the Agg renderer, no pyplot, no GUI, no global
state) with fixed sizes and PNG metadata, so the same input gives the same bytes.

Chinese names are drawn in Noto Sans CJK SC, which the `noto-cjk-sans-otc` dependency ships and
which is registered with matplotlib's font manager on first use (a CJK font installed on the
machine serves when the package is missing). A label that no available font can draw is replaced by
the caller's fallback (the id next to which the name stands) instead of rendering as empty boxes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

__all__ = [
    "TimedEvent",
    "budget_chart",
    "chart_style",
    "drawable",
    "funnel_chart",
    "save_chart",
    "timeline_chart",
]

logger = logging.getLogger(__name__)

_BASE_FONT = "DejaVu Sans"
# The CJK font a dependency ships: (package, file in it).
_SHIPPED_CJK_FONT = ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc")
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK JP",  # the collection's first face, all an older matplotlib reads of it
)
_SIZE = (10.0, 5.2)  # inches at 100 dpi: 1000 x 520 px
_DPI = 100
# Fixed PNG text chunks: no matplotlib version, so the bytes depend on the data alone.
_METADATA: dict[str, str | None] = {"Software": "shopcrew"}

# One colour per known kind or outcome, stable across runs (tab10 order).
_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_KIND_ORDER = (
    "customer_message",
    "order_event",
    "audit_tick",
    "budget_review_tick",
    "human_decision",
    "redis_fault",
    "restart",
)
_BUCKETS_MIN = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440)
_MAX_BUCKETS = 36
_TICKS_MIN = (5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440)
_MAX_TICKS = 10
_LABELLED_CAMPAIGNS = 8
_UPRIGHT_CAMPAIGNS = 15  # the chart widens up to this many; past it, labels tilt
_LEGEND_INSIDE = 7  # more legend rows than this go beside the plot


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """One event placed on the simulated clock, with the group it is stacked in (its kind)."""

    at: datetime
    group: str


class _RegularOnly(logging.Filter):
    """Drops matplotlib's notice that the CJK font has no bold face (titles use its regular)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("findfont: Failed to find font weight") and "CJK" in message)


def _register_shipped_font() -> None:
    """Add the CJK font the `noto-cjk-sans-otc` package ships to matplotlib's font manager."""
    logging.getLogger("matplotlib.font_manager").addFilter(_RegularOnly())
    package, name = _SHIPPED_CJK_FONT
    try:
        font = resources.files(package) / name
    except ModuleNotFoundError:
        logger.info("package %s is not installed; charts use the machine's CJK fonts", package)
        return
    with resources.as_file(font) as path:
        if path.is_file():
            font_manager.fontManager.addfont(path)
        else:
            logger.warning("the font %s is missing from package %s", name, package)


@cache
def _font_families() -> tuple[str, ...]:
    _register_shipped_font()
    installed = {font.name for font in font_manager.fontManager.ttflist}
    cjk = next((name for name in _CJK_FONTS if name in installed), None)
    return (_BASE_FONT, cjk) if cjk else (_BASE_FONT,)


@cache
def _charmap() -> frozenset[int]:
    codes: set[int] = set()
    for family in _font_families():
        path = font_manager.findfont(font_manager.FontProperties(family=family))
        codes.update(FT2Font(path).get_charmap())
    return frozenset(codes)


def drawable(text: str, fallback: str) -> str:
    """Return `text` if the chart fonts have a glyph for each character, else `fallback`."""
    charmap = _charmap()
    if all(ord(char) in charmap or char.isspace() for char in text):
        return text
    logger.debug("no font glyph for %r in charts; using %r", text, fallback)
    return fallback


def chart_style() -> AbstractContextManager[None]:
    """The house style of the report's charts (fonts with CJK glyphs where installed)."""
    return rc_context(
        {
            "font.family": list(_font_families()),
            "font.size": 11,
            "axes.titlesize": 14,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#e5e5e5",
            "axes.axisbelow": True,
            "svg.hashsalt": "shopcrew",
        }
    )


def save_chart(fig: Figure, path: Path) -> Path:
    """Write `fig` as a reproducible PNG (fixed metadata), creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=_DPI, metadata=_METADATA)
    return path


def _empty(path: Path, title: str, message: str) -> Path:
    with chart_style():
        fig = Figure(figsize=(_SIZE[0], 2.0), dpi=_DPI, layout="constrained")
        ax = fig.subplots()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.45, message, ha="center", va="center", fontsize=13, color="#555555")
        return save_chart(fig, path)


def _money(value: float, symbol: str = "¥") -> str:
    cents = round(float(value), 2)
    return f"{symbol}{cents:,.0f}" if cents.is_integer() else f"{symbol}{cents:,.2f}"


def _signed(value: float, symbol: str = "¥") -> str:
    if round(value, 2) == 0:
        return f"±{symbol}0"
    return ("+" if value > 0 else "−") + _money(abs(value), symbol)


def funnel_chart(
    path: Path,
    *,
    conversations: int,
    answered: int,
    resolved: int,
    escalated: int,
    target: float | None = None,
    not_resolved: int | None = None,
    no_goal: int = 0,
) -> Path:
    """Draw the resolution funnel as horizontal bars, with each stage's share of conversations.

    Args:
        path: Where the PNG goes (parent folders are created).
        conversations: Customer conversations in the run.
        answered: Conversations the agent answered.
        resolved: Conversations whose customer's goal was met without a person.
        escalated: Conversations handed to a person.
        target: A share resolved without a person to compare with, drawn as a dashed line
            (None: no line; the report quotes no outside figure it cannot source).
        not_resolved: Conversations whose goal was not met and that no person took over
            (None: a report from before goals, the bar is left out).
        no_goal: Conversations the scenario gave no goal (drawn only when there are some).

    Returns:
        `path`.
    """
    title = "Resolution funnel"
    if conversations <= 0:
        return _empty(path, title, "No customer conversations in this scenario")
    good = target is None or resolved >= target * conversations
    stages = [
        ("Conversations", conversations, "#4c72b0"),
        ("Answered by agent", answered, "#64b5cd"),
        ("Resolved: goal met, no person", resolved, "#55a868" if good else "#dd8452"),
        ("Handed to a person", escalated, "#8172b3"),
    ]
    if not_resolved is not None:
        stages.append(("Not resolved: goal not met", not_resolved, "#c44e52"))
    if no_goal:
        stages.append(("No goal given (not judged)", no_goal, "#999999"))
    with chart_style():
        fig = Figure(figsize=(_SIZE[0], 1.0 + 0.8 * len(stages)), dpi=_DPI, layout="constrained")
        ax = fig.subplots()
        labels = [stage[0] for stage in stages][::-1]
        values = [stage[1] for stage in stages][::-1]
        colours = [stage[2] for stage in stages][::-1]
        bars = ax.barh(labels, values, color=colours, height=0.6)
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                bar.get_width() + conversations * 0.01,
                bar.get_y() + bar.get_height() / 2,
                f"{value:,}  ({value / conversations:.1%})",
                va="center",
                fontsize=11,
            )
        if target is not None:
            goal = target * conversations
            ax.axvline(goal, color="#555555", linestyle="--", linewidth=1.5)
            ax.text(
                goal,
                len(stages) - 0.45,
                f"target: {target:.0%} resolved without a person ",
                color="#555555",
                ha="right",
                va="bottom",
                fontsize=10,
            )
        ax.set_xlim(0, conversations * 1.22)
        ax.set_ylim(-0.5, len(stages) - 0.1)
        ax.set_xlabel("conversations")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", visible=False)
        ax.set_title(f"{title}: {resolved / conversations:.1%} resolved (customer's goal met)")
        return save_chart(fig, path)


def budget_chart(
    path: Path,
    *,
    before: Mapping[str, float],
    after: Mapping[str, float],
    labels: Mapping[str, str] | None = None,
    symbol: str = "¥",
) -> Path:
    """Draw each campaign's daily budget before and after the run as grouped bars.

    Args:
        path: Where the PNG goes.
        before: Budget per campaign id before the run.
        after: Budget per campaign id after the run.
        labels: Display names per campaign id; names the fonts cannot draw fall back to the id.
        symbol: The currency symbol of the amounts.

    Returns:
        `path`.
    """
    title = "Daily campaign budgets before and after"
    campaigns = sorted(set(before) | set(after))
    if not campaigns:
        return _empty(path, title, "No budget review in this scenario")
    names = [_campaign_label(c, (labels or {}).get(c)) for c in campaigns]
    old = [float(before.get(c, 0.0)) for c in campaigns]
    new = [float(after.get(c, 0.0)) for c in campaigns]
    with chart_style():
        width = max(_SIZE[0], min(16.0, 2.0 + 0.9 * len(campaigns)))
        fig = Figure(figsize=(width, _SIZE[1]), dpi=_DPI, layout="constrained")
        ax = fig.subplots()
        xs = range(len(campaigns))
        bar_w = 0.38
        left = ax.bar([x - bar_w / 2 for x in xs], old, bar_w, label="before", color="#a6bddb")
        right = ax.bar([x + bar_w / 2 for x in xs], new, bar_w, label="after", color="#2b8cbe")
        top = max([*old, *new, 1.0])
        # Past a few campaigns the labels collide; the report's table has the exact figures.
        for bars in (left, right) if len(campaigns) <= _LABELLED_CAMPAIGNS else ():
            for bar in bars:
                height = bar.get_height()
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    height + top * 0.01,
                    _money(height, symbol),
                    ha="center",
                    va="bottom",
                    fontsize=9,
                )
        ticks = [
            f"{name}\n{_signed(b - a, symbol)}" for name, a, b in zip(names, old, new, strict=True)
        ]
        ax.set_xticks(
            list(xs), ticks, rotation=30 if len(campaigns) > _UPRIGHT_CAMPAIGNS else 0, ha="center"
        )
        ax.set_ylim(0, top * 1.22)  # room for the legend above the tallest bar
        ax.set_ylabel(f"budget per day ({symbol.strip()})")
        ax.yaxis.set_major_formatter(lambda value, _pos: _money(value, symbol))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", ncols=2, frameon=False)
        total = f"{_money(sum(old), symbol)} → {_money(sum(new), symbol)}"
        ax.set_title(f"{title}: total {total} per day")
        return save_chart(fig, path)


def _campaign_label(campaign: str, name: str | None) -> str:
    """The campaign's name over its id (the id alone when no font draws the name)."""
    if not name or name == campaign:
        return campaign
    return drawable(f"{name}\n{campaign}", campaign)


def _bucket_minutes(span: timedelta) -> int:
    minutes = span.total_seconds() / 60
    return next((b for b in _BUCKETS_MIN if minutes / b <= _MAX_BUCKETS), _BUCKETS_MIN[-1])


def _floor(at: datetime, minutes: int) -> datetime:
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = int((at - midnight).total_seconds() // 60) // minutes * minutes
    return midnight + timedelta(minutes=offset)


def _stack_order(groups: Counter[str]) -> list[str]:
    known = [g for g in _KIND_ORDER if g in groups]
    return known + sorted(g for g in groups if g not in _KIND_ORDER)


def _time_axis(ax: Axes, span: Sequence[datetime], *, bucket: int) -> None:
    """Tick the x axis (minutes since the first day's midnight) at round clock times."""
    midnight = span[0].replace(hour=0, minute=0, second=0, microsecond=0)
    lo = (span[0] - midnight).total_seconds() / 60
    hi = (span[-1] - midnight).total_seconds() / 60 + bucket
    step = next((t for t in _TICKS_MIN if (hi - lo) / t <= _MAX_TICKS), _TICKS_MIN[-1])
    ticks = [float(t) for t in range(int(-(-lo // step) * step), int(hi) + 1, step)]
    multi_day = span[0].date() != span[-1].date()
    labels = [
        f"{midnight + timedelta(minutes=t):{'%m-%d %H:%M' if multi_day else '%H:%M'}}"
        for t in ticks
    ]
    ax.set_xticks(ticks, labels)
    ax.set_xlim(lo - bucket * 0.3, hi + bucket * 0.3)
    last = span[-1]
    day = f"{span[0]:%Y-%m-%d}" + (f" to {last:%Y-%m-%d}" if multi_day else "")
    ax.set_xlabel(f"simulated time, {day} ({_bucket_name(bucket)} buckets)")


def _bucket_name(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def timeline_chart(
    path: Path,
    events: Sequence[TimedEvent],
    *,
    escalations: Sequence[datetime] = (),
    tz_label: str = "",
) -> Path:
    """Draw events over the simulated day as a histogram stacked by group (event kind).

    Args:
        path: Where the PNG goes.
        events: Events with naive wall-clock times on the simulated clock.
        escalations: Times of the events handed to a person, drawn as a line over the bars.
        tz_label: The clock's UTC offset, shown in the title when known.

    Returns:
        `path`.
    """
    title = "Events over the simulated day"
    if not events:
        return _empty(path, title, "No events with a simulated time in this scenario")
    first = min(e.at for e in events)
    last = max(e.at for e in events)
    bucket = _bucket_minutes(last - first)
    counts: dict[str, Counter[datetime]] = {}
    for event in events:
        counts.setdefault(event.group, Counter())[_floor(event.at, bucket)] += 1
    order = _stack_order(Counter({g: sum(c.values()) for g, c in counts.items()}))
    starts = sorted({start for c in counts.values() for start in c})
    step = timedelta(minutes=bucket)
    span = [starts[0] + step * i for i in range(int((starts[-1] - starts[0]) / step) + 1)]
    midnight = span[0].replace(hour=0, minute=0, second=0, microsecond=0)
    xs = [(start - midnight).total_seconds() / 60 for start in span]
    with chart_style():
        fig = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
        ax = fig.subplots()
        bottom = [0] * len(span)
        for index, group in enumerate(order):
            heights = [counts[group].get(start, 0) for start in span]
            colour = _COLOURS[_KIND_ORDER.index(group) if group in _KIND_ORDER else index % 10]
            label = f"{group.replace('_', ' ')} ({sum(heights):,})"
            ax.bar(
                xs,
                heights,
                width=bucket * 0.9,
                bottom=bottom,
                align="edge",
                label=drawable(label, f"kind {index + 1}"),
                color=colour,
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        if escalations:
            per_bucket = Counter(_floor(at, bucket) for at in escalations)
            centres = [x + bucket * 0.45 for x in xs]
            heights = [per_bucket.get(start, 0) for start in span]
            ax.plot(centres, heights, color="black", linewidth=1.0, alpha=0.6)
            marked = [(x, h) for x, h in zip(centres, heights, strict=True) if h]
            ax.plot(
                [x for x, _ in marked],
                [h for _, h in marked],
                color="black",
                marker="o",
                markersize=4,
                linestyle="none",
                label=f"escalated to a person ({len(escalations):,})",
            )
        _time_axis(ax, span, bucket=bucket)
        ax.set_ylabel(f"events per {_bucket_name(bucket)}")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", visible=False)
        rows = len(order) + (1 if escalations else 0)
        if rows > _LEGEND_INSIDE:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=10)
            ax.set_ylim(0, max(bottom) * 1.1)
        else:
            ax.legend(loc="upper left", frameon=False, fontsize=10, ncols=2 if rows > 3 else 1)
            ax.set_ylim(0, max(bottom) * (1.2 + 0.06 * -(-rows // 2)))
        clock = f" (clock {tz_label})" if tz_label else ""
        ax.set_title(f"{title}: {len(events):,} events{clock}")
        return save_chart(fig, path)
