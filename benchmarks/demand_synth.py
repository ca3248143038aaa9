"""Synthetic demand markets from DEMAND_FORMAT.md's generating process, with their truth.

    python benchmarks/demand_synth.py --markets 30 --seed 7 --out-dir /tmp/synth

writes `demand_synth.jsonl` and `demand_synth_truth.jsonl` (the format's instance and truth
lines). The process follows the format page's description, written independently of the dev
set's hidden generator, with its own ranges: other New-Year years, lead times and cutoff
offsets, a Gaussian hype curve (the planner assumes an exponential one), regional New-Year
effects that change this year for some SKUs, and categories the dev set does not have. The
oracle is the exact optimum on the true distributions (`shopcrew.agents.demand.solve`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from shopcrew.agents.demand import Branch, Cell, moment_matched, solve
from shopcrew.agents.demand.distribution import marginal_costs
from shopcrew.tools.records.demand import cell_cost, parse_demand_market

REGIONS = [
    ("east", "华东", "East China"),
    ("south", "华南", "South China"),
    ("north", "华北", "North China"),
    ("southwest", "西南", "Southwest China"),
    ("northeast", "东北", "Northeast China"),
    ("northwest", "西北", "Northwest China"),
]
CNY = {
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
}
# category: (CNY amplitude range, peak day range, w_up, w_down, dip, yearly amplitude range)
CATEGORIES: dict[
    str, tuple[tuple[float, float], tuple[float, float], float, float, float, tuple[float, float]]
] = {
    "nianhuo": ((0.6, 2.2), (-14, -9), 9, 3.5, 0.55, (0.05, 0.1)),
    "festive": ((18, 40), (-11, -8), 7, 3, 0.7, (0.05, 0.1)),
    "pet": ((0.2, 0.5), (-12, -8), 8, 3, 0.45, (0.05, 0.1)),
    "appliance": ((0.1, 0.6), (-16, -12), 10, 4, 0.5, (0.05, 0.5)),
    "apparel": ((0.3, 2.0), (-18, -14), 10, 4, 0.6, (0.05, 0.8)),
    "tea": ((0.5, 1.5), (-15, -10), 9, 4, 0.5, (0.05, 0.2)),
    "stationery": ((0.1, 0.4), (-20, -15), 8, 4, 0.5, (0.1, 0.3)),
    "liquor": ((0.8, 2.5), (-12, -7), 8, 3, 0.6, (0.05, 0.15)),
}


def _profile(
    x: np.ndarray, amp: float, peak: float, w_up: float, w_down: float, dip: float
) -> np.ndarray:
    width = np.where(x < peak, w_up, w_down)
    bump = 1.0 + amp * np.exp(-0.5 * ((x - peak) / width) ** 2)
    courier = np.clip(np.minimum((x + 9) / 2.0, (11 - x) / 3.0), 0.0, 1.0)
    return bump * (1.0 - dip * courier)


def _sku_params(
    rng: np.random.Generator, category: str, new: bool, trend: str | None
) -> dict[str, Any]:
    amp_range, peak_range, w_up, w_down, dip, yearly_range = CATEGORIES[category]
    intermittent = rng.random() < 0.15 and category != "festive"
    level = (
        rng.uniform(0.25, 1.5)
        if intermittent
        else rng.uniform(0.2, 1.8)
        if category == "festive"
        else rng.lognormal(3.0, 0.6)
    )
    regional = {}
    if rng.random() < 0.3:
        for r in rng.choice(
            [r for r, _, _ in REGIONS], size=int(rng.integers(1, 3)), replace=False
        ):
            regional[str(r)] = float(rng.uniform(1.3, 4.0))
    this_year = dict(regional)
    if regional and rng.random() < 0.25:
        this_year = {r: float(v * rng.uniform(0.4, 0.8)) for r, v in regional.items()}
    return {
        "level": float(level),
        "phi": float(rng.uniform(1.3, 5.0)),
        "shares": rng.dirichlet(np.full(6, 6.0)).tolist(),
        "growth": rng.normal(0.05, 0.2, 6).tolist(),
        "amp": float(rng.uniform(*amp_range)),
        "peak": float(rng.uniform(*peak_range)),
        "w_up": float(w_up),
        "w_down": float(w_down),
        "dip": float(dip),
        "regional": regional,
        "regional_this_year": this_year,
        "yearly": (float(rng.uniform(*yearly_range)), float(rng.uniform(0, 365))),
        "elasticity": float(rng.uniform(1.5, 3.0)),
        "new": new,
        "trend": trend,
        "intermittent": intermittent,
        "level_shift": float(rng.uniform(0.7, 1.5)) if rng.random() < 0.1 else None,
    }


def _mu(
    p: dict[str, Any],
    days: list[dt.date],
    launch: dt.date,
    hype: dict[str, float] | None,
    market: dict[str, Any],
    sku_id: str,
    weekday: np.ndarray,
    rng_year: dict[int, float],
    cutoff: dt.date,
) -> np.ndarray:
    n = len(days)
    out = np.zeros((6, n))
    t = np.asarray([(d - cutoff).days for d in days], dtype=float)
    doy = np.asarray([d.timetuple().tm_yday for d in days], dtype=float)
    yearly = np.exp(p["yearly"][0] * np.cos(2 * math.pi * (doy - p["yearly"][1]) / 365.0))
    wd = weekday[[d.weekday() for d in days]]
    age = np.asarray([(d - launch).days for d in days], dtype=float)
    ramp = np.clip(1 - np.exp(-np.maximum(age, 0) / 12.0), 0, 1) if p["new"] else np.ones(n)
    shift = np.ones(n)
    if p["level_shift"] is not None:
        shift = np.where(t > -120, p["level_shift"], 1.0)
    promo = np.ones(n)
    for pr in market["calendar"]["promotions"]:
        if sku_id in pr["skus"]:
            start, end = dt.date.fromisoformat(pr["start"]), dt.date.fromisoformat(pr["end"])
            for i, d in enumerate(days):
                if start <= d <= end:
                    promo[i] *= (1 - pr["discount"]) ** (-p["elasticity"])
                elif end < d <= end + dt.timedelta(days=3):
                    promo[i] *= 0.85
    events = np.ones(n)
    for i, d in enumerate(days):
        for month, day in ((11, 11), (6, 18)):
            peak = dt.date(d.year, month, day)
            gap = (d - peak).days
            if -10 <= gap <= 0:
                events[i] = 1.3 + 1.2 * math.exp(gap / 2.0)
            elif -17 <= gap < -10 or 0 < gap <= 7:
                events[i] = 0.85
    hyped = np.ones(n)
    if hype is not None:
        x = t - hype["peak"]
        rise = np.exp(-0.5 * (np.minimum(x, 0) / hype["w_up"]) ** 2)
        fall = np.exp(-0.5 * (np.maximum(x, 0) / hype["w_down"]) ** 2)
        after = hype["hold"] + (1 - hype["hold"]) * fall
        hyped = 1 + (hype["k"] - 1) * np.where(x < 0, rise, after)
    for r in range(6):
        rid = REGIONS[r][0]
        cny = np.ones(n)
        for year, ny in CNY.items():
            x = np.asarray([(d - ny).days for d in days], dtype=float)
            near = np.abs(x) < 60
            if not near.any():
                continue
            regional = p["regional_this_year"] if ny > cutoff else p["regional"]
            amp = p["amp"] * rng_year[year] * regional.get(rid, 1.0)
            cny = np.where(near, _profile(x, amp, p["peak"], p["w_up"], p["w_down"], p["dip"]), cny)
        growth = np.exp(p["growth"][r] * t / 365.0)
        out[r] = (
            p["level"]
            * p["shares"][r]
            * growth
            * yearly
            * wd
            * ramp
            * shift
            * promo
            * events
            * hyped
            * cny
        )
    return out


def _nb(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    mu = np.maximum(mu, 1e-9)
    return rng.negative_binomial(mu / (phi - 1.0), 1.0 / phi)


def make_market(
    seed: int,
    *,
    n_skus: int | None = None,
    trend: str | None = None,
    year: int | None = None,
    categories: list[str] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = np.random.default_rng(seed)
    year = year or int(rng.choice([2025, 2026, 2027, 2028]))
    ny = CNY[year]
    cutoff = ny - dt.timedelta(days=int(rng.integers(22, 36)))
    lead = int(rng.integers(5, 15))
    start = cutoff + dt.timedelta(days=lead)
    horizon = [start + dt.timedelta(days=k) for k in range(28)]
    span = int(rng.integers(365, 731))
    categories = categories or list(
        rng.choice(list(CATEGORIES), size=int(rng.integers(2, 4)), replace=False)
    )
    n_skus = n_skus or int(rng.integers(10, 24))
    home = int(rng.choice([0, 0, 0, 1, 2]))
    weekday = rng.uniform(0.92, 1.08, 7)
    weekday /= weekday.mean()
    rng_year = {y: float(rng.lognormal(0, 0.15)) for y in CNY}
    trend_sku = int(rng.integers(0, n_skus)) if rng.random() < 0.6 or trend else None
    skus, params, hypes = [], {}, {}
    for i in range(n_skus):
        sid = f"s{i + 1:02d}"
        category = str(rng.choice(categories))
        new = rng.random() < 0.15
        kind = (trend or str(rng.choice(["fad", "hit"]))) if i == trend_sku else None
        p = _sku_params(rng, category, new, kind)
        hist_days = int(rng.integers(25, 121)) if new else span
        history_start = cutoff - dt.timedelta(days=hist_days - 1)
        unit_cost = float(rng.uniform(15, 150))
        festive = category == "festive"
        shelf = int(rng.choice([60, 75, 180, 365])) if category in ("nianhuo", "tea") else None
        skus.append(
            {
                "id": sid,
                "zh": f"{category}{i}",
                "en": f"{category} item {i}",
                "category": category,
                "unit_cost": round(unit_cost, 2),
                "price": round(unit_cost * rng.uniform(1.3, 2.0), 1),
                "holding_cost_per_day": round(unit_cost * 0.001, 4),
                "weight_kg": round(float(rng.uniform(0.2, 6)), 2),
                "shelf_life_days": shelf,
                "festive_only": festive,
                "salvage_value": round(unit_cost * rng.uniform(0.05, 0.2), 2),
                "history_start": history_start.isoformat(),
            }
        )
        params[sid] = p
        if kind is not None:
            hypes[sid] = {
                "peak": float(rng.uniform(-3, 12)),
                "k": float(rng.uniform(6, 25)),
                "w_up": float(rng.uniform(8, 15)),
                "w_down": float(rng.uniform(3, 8)),
                "hold": 0.0 if kind == "fad" else float(rng.uniform(0.8, 1.05)),
            }
    promotions = []
    for j in range(int(rng.integers(3, 7))):
        first = cutoff - dt.timedelta(days=int(rng.integers(30, 330)))
        promotions.append(
            {
                "id": f"p{j + 1:02d}",
                "name": "满减活动",
                "skus": [s["id"] for s in skus if rng.random() < 0.3] or [skus[0]["id"]],
                "start": first.isoformat(),
                "end": (first + dt.timedelta(days=int(rng.integers(1, 6)))).isoformat(),
                "discount": round(float(rng.uniform(0.1, 0.35)), 2),
            }
        )
    if rng.random() < 0.4:
        first = start + dt.timedelta(days=int(rng.integers(0, 8)))
        promotions.append(
            {
                "id": "p99",
                "name": "年货节加码",
                "skus": [skus[int(rng.integers(0, n_skus))]["id"]],
                "start": first.isoformat(),
                "end": (first + dt.timedelta(days=4)).isoformat(),
                "discount": round(float(rng.uniform(0.1, 0.3)), 2),
            }
        )
    events = []
    for y in range(cutoff.year - 2, cutoff.year + 1):
        for name, en, month, day, length in (
            ("618", "618", 6, 18, 17),
            ("双11", "Double 11", 11, 11, 11),
        ):
            peak = dt.date(y, month, day)
            if peak < cutoff:
                events.append(
                    {
                        "name": name,
                        "en": en,
                        "start": (peak - dt.timedelta(days=length)).isoformat(),
                        "end": peak.isoformat(),
                        "peak": peak.isoformat(),
                    }
                )
    market: dict[str, Any] = {
        "id": f"dm-synth-{seed:03d}",
        "merchant": {"zh": "合成店", "en": "Synthetic shop"},
        "currency": "CNY",
        "home_region": REGIONS[home][0],
        "cutoff": cutoff.isoformat(),
        "horizon": {"start": start.isoformat(), "days": 28, "end": horizon[-1].isoformat()},
        "holding_days": (horizon[-1] - cutoff).days,
        "budget": 0.0,
        "regions": [],
        "skus": skus,
        "calendar": {
            "cny": {str(y): d.isoformat() for y, d in CNY.items()},
            "events": events,
            "promotions": promotions,
        },
        "history": {},
    }
    mu_h, demand, phis = {}, {}, {}
    for s in skus:
        sid = s["id"]
        p = params[sid]
        launch = dt.date.fromisoformat(s["history_start"])
        days = [launch + dt.timedelta(days=k) for k in range((cutoff - launch).days + 1)]
        hist_mu = _mu(p, days, launch, hypes.get(sid), market, sid, weekday, rng_year, cutoff)
        market["history"][sid] = {
            REGIONS[r][0]: _nb(rng, hist_mu[r], p["phi"]).tolist() for r in range(6)
        }
        hz = dict(hypes.get(sid) or {})
        future = _mu(p, horizon, launch, hz or None, market, sid, weekday, rng_year, cutoff)
        mu_h[sid] = {REGIONS[r][0]: future[r].tolist() for r in range(6)}
        demand[sid] = {REGIONS[r][0]: _nb(rng, future[r], p["phi"]).tolist() for r in range(6)}
        phis[sid] = {REGIONS[r][0]: p["phi"] for r in range(6)}
    forward_demand = np.zeros(6)
    value = 0.0
    for s in skus:
        for r in range(6):
            m = sum(mu_h[s["id"]][REGIONS[r][0]])
            forward_demand[r] += m
            value += m * s["unit_cost"] * (r != home)
    for r, (rid, zh, en) in enumerate(REGIONS):
        is_home = r == home
        local = {
            "base": round(float(rng.uniform(3.8, 5.0)), 2),
            "per_kg": round(float(rng.uniform(0.8, 1.0)), 2),
        }
        market["regions"].append(
            {
                "id": rid,
                "zh": zh,
                "en": en,
                "home": is_home,
                "capacity": 0
                if is_home
                else round(float(forward_demand[r] * rng.uniform(0.5, 1.4))),
                "local_cost": local,
                "cross_cost": local
                if is_home
                else {
                    "base": round(float(rng.uniform(6.5, 9.5)), 2),
                    "per_kg": round(float(rng.uniform(2.0, 3.2)), 2),
                },
                "transfer_cost": {"base": 0.0, "per_kg": 0.0}
                if is_home
                else {
                    "base": round(float(rng.uniform(0.3, 0.7)), 2),
                    "per_kg": round(float(rng.uniform(0.2, 0.35)), 2),
                },
                "cross_lost_share": 0.0 if is_home else round(float(rng.uniform(0.04, 0.15)), 2),
            }
        )
    market["budget"] = round(value * float(rng.uniform(0.5, 1.2)), -2)
    fads = [sid for sid, p in params.items() if p["trend"] == "fad"]
    write_off = [
        s["id"]
        for s in skus
        if s["festive_only"] or (s["shelf_life_days"] or 999) <= 90 or s["id"] in fads
    ]
    truth = {
        "mu": mu_h,
        "phi": phis,
        "demand": demand,
        "write_off": write_off,
        "fad": fads,
        "hit": [sid for sid, p in params.items() if p["trend"] == "hit"],
        "sku_tags": {
            sid: [
                t
                for t, on in (
                    ("fad", p["trend"] == "fad"),
                    ("hit", p["trend"] == "hit"),
                    ("new", p["new"]),
                    ("intermittent", p["intermittent"]),
                    ("festive", CATEGORIES and params[sid]["amp"] > 15),
                    ("cny_regional", bool(p["regional"])),
                    ("regime_shift", p["regional"] != p["regional_this_year"]),
                    ("level_shift", p["level_shift"] is not None),
                )
                if on
            ]
            for sid, p in params.items()
        },
        "tags": [f"cny_year:{year}", f"lead:{lead}"] + (["fad"] if fads else []),
        "params": {"seed": seed},
        "oracle": _oracle(market, mu_h, phis, write_off),
    }
    return market, {"id": market["id"], "truth": truth}


def _oracle(
    raw: dict[str, Any], mu: dict[str, Any], phi: dict[str, Any], write_off: list[str]
) -> dict[str, Any]:
    market = parse_demand_market(raw)
    regions = [r.id for r in market.forward_regions]
    keys, cells = [], []
    for region in market.forward_regions:
        for sku in market.skus:
            mean = float(sum(mu[sku.id][region.id]))
            demand = moment_matched(mean, dispersion=phi[sku.id][region.id], spread=0.0)
            costs = cell_cost(market, sku, region, written_off=sku.id in write_off)
            keys.append((sku.id, region.id))
            cells.append(
                Cell(
                    regions.index(region.id),
                    sku.unit_cost,
                    marginal_costs([Branch(1.0, demand, costs)]),
                )
            )
    solution = solve(
        cells, capacities=[r.capacity for r in market.forward_regions], budget=market.budget
    )
    empty = 0.0
    for (sku_id, region_id), _ in zip(keys, cells, strict=True):
        region = next(r for r in market.forward_regions if r.id == region_id)
        rates = cell_cost(market, market.sku(sku_id), region, written_off=sku_id in write_off)
        empty += rates.short * float(sum(mu[sku_id][region_id]))
    plan: dict[str, dict[str, float]] = {}
    for (sku_id, region_id), q in zip(keys, solution.units, strict=True):
        if q > 0:
            plan.setdefault(sku_id, {})[region_id] = float(q)
    return {
        "expected_cost": empty + solution.cost_change,
        "budget_price": solution.budget_price,
        "gap": solution.gap,
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out-dir", type=Path, default=Path("."))
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with (
        (args.out_dir / "demand_synth.jsonl").open("w") as markets,
        (args.out_dir / "demand_synth_truth.jsonl").open("w") as truths,
    ):
        for i in range(args.markets):
            market, truth = make_market(args.seed * 1000 + i)
            markets.write(json.dumps(market, ensure_ascii=False) + "\n")
            truths.write(json.dumps(truth, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
