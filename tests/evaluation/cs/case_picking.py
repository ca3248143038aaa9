"""Shared machinery of the CS case builders (`cs_heldout_build.py`, `cs_shoppers_build.py`).

A `CasePicker` picks customers and orders from the reference store, never one that an
excluded case file uses (nor any order of a user it uses), and computes a case's expectations
as CS_FORMAT.md section 3 says: the expected writes replayed with the τ-bench tools on a fresh
copy of the store give `final_db_sha256`. The free functions read store records.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.tools import TauRetailTools

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("SHOPCREW_SHARED", ROOT.parent / "shared"))
DB = SHARED / "tau-retail" / "db"
DEV = SHARED / "eval" / "cs_dev.jsonl"
DATA = Path(__file__).resolve().parent / "data"

Rec = dict[str, Any]
Address = tuple[str, str, str, str, str]
"""address1, address2 ("" when none), city, state, zip; the country is always USA."""


class CasePicker:
    """Picks unused customers and orders and collects cases with computed expectations."""

    def __init__(
        self, db: Path, *, exclude: Iterable[Path], id_prefix: str, seed: int | None = None
    ) -> None:
        """Load the store; with a seed, customers are tried in a seeded shuffled order."""
        self.base = RetailStore.load(db)
        self.id_prefix = id_prefix
        self.excluded_users: set[str] = set()
        self.excluded_orders: set[str] = set()
        for path in exclude:
            for line in path.read_text(encoding="utf-8").splitlines():
                case = json.loads(line)
                if case.get("user_id"):
                    self.excluded_users.add(case["user_id"])
                self.excluded_orders.update("#" + m for m in re.findall(r"W\d{7}", line))
        # Every order of an excluded user is off limits too: no case touches their data.
        for uid in self.excluded_users:
            user = self.base.get("users", uid)
            if user:
                self.excluded_orders.update(user["orders"])
        self.used_users: set[str] = set(self.excluded_users)
        self.user_ids = [uid for uid, _ in self.base.items("users")]
        if seed is not None:
            random.Random(seed).shuffle(self.user_ids)
        self.no_change = self.base.store_sha256()
        self.cases: list[Rec] = []

    # ------------------------------------------------------------ picking
    def users(self) -> Iterator[tuple[str, Rec]]:
        """Users no case has used yet, in the picker's order."""
        for uid in self.user_ids:
            if uid not in self.used_users:
                user = self.base.get("users", uid)
                assert user
                yield uid, user

    def orders_of(self, user: Rec, status: str) -> list[Rec]:
        """The user's orders of `status` that no excluded case mentions."""
        out = []
        for oid in user["orders"]:
            order = self.base.get("orders", oid)
            if order and order["status"] == status and oid not in self.excluded_orders:
                out.append(order)
        return out

    def claim(
        self, status: str, pred: Callable[[Rec, Rec], Any], n_orders: int = 1
    ) -> tuple[str, Rec, list[tuple[Rec, Any]]]:
        """The first unused user with `n_orders` orders of `status` each satisfying `pred`."""
        for uid, user in self.users():
            hits = []
            for order in self.orders_of(user, status):
                got = pred(user, order)
                if got:
                    hits.append((order, got))
                if len(hits) == n_orders:
                    self.used_users.add(uid)
                    return uid, user, hits
        raise LookupError(status)

    def claim_user(self, pred: Callable[[Rec], Any] = lambda u: True) -> tuple[str, Rec]:
        """The first unused user satisfying `pred`."""
        for uid, user in self.users():
            if pred(user):
                self.used_users.add(uid)
                return uid, user
        raise LookupError("user")

    def other_order(self) -> Rec:
        """An order of another unused user (marked used), for refuse_other_user cases."""
        for uid, user in self.users():
            for oid in user["orders"]:
                if oid not in self.excluded_orders:
                    self.used_users.add(uid)
                    order = self.base.get("orders", oid)
                    assert order
                    return order
        raise LookupError("other order")

    def alt_variant(
        self, item: Rec, *, changes: int, available: bool = True
    ) -> tuple[Rec, Rec] | None:
        """A variant of the item's product differing in exactly `changes` options."""
        product = self.base.get("products", item["product_id"])
        assert product
        for variant in product["variants"].values():
            diff = {k: v for k, v in variant["options"].items() if item["options"].get(k) != v}
            if len(diff) == changes and variant["available"] == available:
                return variant, diff
        return None

    def variants_of(self, item: Rec) -> list[Rec]:
        """Every variant of the item's product."""
        product = self.base.get("products", item["product_id"])
        assert product
        return list(product["variants"].values())

    def item_change(self, u: Rec, o: Rec, changes: int, source: str) -> Any:
        """An item of `o` with an available variant `changes` options away, paid by `source`."""
        pms = pm_of(u, source)
        if len(pms) != 1:
            return None
        for item in single_product_items(o):
            got = self.alt_variant(item, changes=changes)
            if got:
                variant, diff = got
                delta = variant["price"] - item["price"]
                if source == "gift_card" and pms[0]["balance"] < delta:
                    continue
                if abs(round(delta, 2)) < 0.01:
                    continue
                return item, variant, diff, pms[0], delta
        return None

    # ------------------------------------------------------------ expectations
    def expect(
        self, writes: list[tuple[str, Rec]], must_say: list[str], escalate: bool | None = False
    ) -> Rec:
        """Replay `writes` on a fresh copy of the store: the case's `expect`."""
        store = self.base.fork()
        tools = TauRetailTools(store)
        for name, kwargs in writes:
            result = tools.invoke(name, kwargs)
            assert not result.startswith("Error"), (name, kwargs, result)
        return {
            "writes": [{"name": n, "kwargs": k} for n, k in writes],
            "final_db_sha256": store.store_sha256(),
            "must_say": must_say,
            "escalate": escalate,
        }

    def no_write(self, must_say: list[str] | None = None, escalate: bool | None = None) -> Rec:
        """The `expect` of a case that changes nothing."""
        return {
            "writes": [],
            "final_db_sha256": self.no_change,
            "must_say": must_say or [],
            "escalate": escalate,
        }

    # ------------------------------------------------------------ output
    def add(
        self,
        cid: str,
        lang: str,
        cat: str,
        uid: str | None,
        turns: list[str],
        confirm: list[int],
        exp: Rec,
    ) -> None:
        """Append a case, its id `<prefix>-<category>-<lang>-<cid>`."""
        self.cases.append(
            {
                "id": f"{self.id_prefix}-{cat}-{lang}-{cid}",
                "lang": lang,
                "category": cat,
                "user_id": uid,
                "turns": turns,
                "confirm_turns": confirm,
                "expect": exp,
            }
        )

    def write(self, out: Path) -> None:
        """Check ids are unique and no case touches excluded data, then write the case file."""
        ids = [c["id"] for c in self.cases]
        assert len(ids) == len(set(ids)), ids
        for case in self.cases:
            assert case["user_id"] is None or case["user_id"] not in self.excluded_users
            mentioned = {"#" + m for m in re.findall(r"W\d{7}", json.dumps(case))}
            assert not (mentioned & self.excluded_orders), case["id"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in self.cases),
            encoding="utf-8",
        )
        print(f"{len(self.cases)} cases -> {out}")


# ---------------------------------------------------------------- record helpers
def total_paid(order: Rec) -> float:
    """The order's payments summed (the refund of a cancellation)."""
    return round(sum(p["amount"] for p in order["payment_history"]), 2)


def single_product_items(order: Rec) -> list[Rec]:
    """Items whose product appears once in the order (named by product name alone)."""
    names = [i["name"] for i in order["items"]]
    return [i for i in order["items"] if names.count(i["name"]) == 1]


def pm_of(user: Rec, source: str, brand: str | None = None) -> list[Rec]:
    """The user's payment methods of a source (and card brand)."""
    return [
        p
        for p in user["payment_methods"].values()
        if p["source"] == source and (brand is None or p.get("brand") == brand)
    ]


def tracking(order: Rec) -> str | None:
    """The order's first tracking number, if any."""
    f = order.get("fulfillments") or []
    return f[0]["tracking_id"][0] if f and f[0].get("tracking_id") else None


def money(x: float) -> str:
    """An amount as CS_FORMAT section 7 writes it (`round(x, 2)`)."""
    return str(round(x, 2))


def bare(order: Rec) -> str:
    """The order id without its `#`."""
    return str(order["order_id"]).lstrip("#")


def name_of(user: Rec) -> tuple[str, str, str]:
    """First name, last name and default-address zip."""
    return user["name"]["first_name"], user["name"]["last_name"], user["address"]["zip"]


def addr_text(a: Address) -> str:
    """`address1, address2, city, state zip, USA` (address2 left out when empty)."""
    a1, a2, city, state, z = a
    parts = [a1] + ([a2] if a2 else []) + [city, f"{state} {z}", "USA"]
    return ", ".join(parts)


def addr_kwargs(a: Address) -> Rec:
    """The address as τ-bench write arguments."""
    a1, a2, city, state, z = a
    return {
        "address1": a1,
        "address2": a2,
        "city": city,
        "state": state,
        "country": "USA",
        "zip": z,
    }


def diff_en(diff: Rec) -> str:
    """Changed options as the catalog writes them, English glue."""
    return " and ".join(f"{k} {v}" for k, v in diff.items())


def diff_zh(diff: Rec) -> str:
    """Changed options as the catalog writes them, Chinese glue."""
    return "、".join(f"{k} {v}" for k, v in diff.items())
