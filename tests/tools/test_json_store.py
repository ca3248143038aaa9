"""The JSON reference store: hash, forks, dump, atomic writes, malformed files."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shopcrew.errors import DuplicateKeyError, StoreFileError
from shopcrew.tools.reference.store import Change, RetailStore, copy_record
from shopcrew.tools.tau.tools import TauRetailTools

REFERENCE_SHA256 = "ae10e8a7f23bedf88c90a528efa2d59d27cae24b5ce1f0d28768b39257bf9f0d"


def test_reference_store_hash(base_store: RetailStore) -> None:
    assert base_store.store_sha256() == REFERENCE_SHA256


def test_forks_are_independent(base_store: RetailStore) -> None:
    one, two = base_store.fork(), base_store.fork()
    order_id = next(o for o, r in one.items("orders") if r["status"] == "pending")
    TauRetailTools(one).invoke(
        "cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"}
    )
    assert one.store_sha256() != REFERENCE_SHA256
    assert two.store_sha256() == REFERENCE_SHA256
    assert base_store.store_sha256() == REFERENCE_SHA256
    assert one.fork().store_sha256() == one.store_sha256()


def test_dump_and_reload_keep_the_hash(store: RetailStore, tmp_path: Path) -> None:
    order_id = next(o for o, r in store.items("orders") if r["status"] == "pending")
    TauRetailTools(store).invoke(
        "cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"}
    )
    store.dump(tmp_path)
    again = RetailStore.load(tmp_path)
    assert again.store_sha256() == store.store_sha256()
    assert again.get("orders", order_id) == store.get("orders", order_id)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "orders.json", "products.json", "users.json",
    ]  # fmt: skip


def test_a_change_that_raises_midway_commits_nothing(store: RetailStore) -> None:
    before = store.store_sha256()
    order_id, order = next(iter(store.items("orders")))

    def change(s: RetailStore) -> tuple[Change, None]:
        updated = copy_record(order)
        updated["status"] = "cancelled"
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        store.write(change)
    assert store.store_sha256() == before
    assert store.get("orders", order_id) is order


def test_failing_tool_calls_leave_the_hash_unchanged(store: RetailStore) -> None:
    tools = TauRetailTools(store)
    before = store.store_sha256()
    delivered = next(o for o, r in store.items("orders") if r["status"] == "delivered")
    results = [
        tools.invoke("cancel_pending_order", {"order_id": delivered, "reason": "no longer needed"}),
        tools.invoke(
            "exchange_delivered_order_items",
            {
                "order_id": delivered,
                "item_ids": ["1"],
                "new_item_ids": ["2"],
                "payment_method_id": "x",
            },
        ),
    ]
    assert all(result.startswith("Error: ") for result in results)
    assert store.store_sha256() == before


def test_concurrent_writes_are_serialised(store: RetailStore) -> None:
    pending = [o for o, r in store.items("orders") if r["status"] == "pending"][:40]
    tools = TauRetailTools(store)
    results: list[str] = []

    def cancel(order_id: str) -> None:
        for _ in range(2):
            results.append(
                tools.invoke(
                    "cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"}
                )
            )

    threads = [threading.Thread(target=cancel, args=(o,)) for o in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if r == "Error: non-pending order cannot be cancelled"]
    assert len(errors) == len(pending)


# -- malformed files ---------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _first(table: dict[str, Any]) -> dict[str, Any]:
    return next(iter(table.values()))


def _rename_first(table: dict[str, Any]) -> None:
    key = next(iter(table))
    table["renamed"] = table.pop(key)


def _drop(record: dict[str, Any], key: str) -> None:
    del record[key]


MALFORMED: list[tuple[str, str, Edit, str]] = [
    ("orders", "missing field", lambda t: _drop(_first(t), "status"), "status"),
    ("orders", "wrong type", lambda t: _first(t)["items"][0].update(price="12.5"), "items.0.price"),
    ("orders", "extra field", lambda t: _first(t).update(colour="red"), "colour"),
    ("orders", "inconsistent key", _rename_first, "order_id"),
    ("products", "wrong type", lambda t: _first(t).update(name=7), "name"),
    (
        "users",
        "bad balance type",
        lambda t: next(
            m
            for u in t.values()
            for m in u["payment_methods"].values()
            if m["source"] == "gift_card"
        ).update(balance="91"),
        "balance",
    ),
    (
        "users",
        "unknown source",
        lambda t: next(iter(_first(t)["payment_methods"].values())).update(source="cash"),
        "payment_methods",
    ),
]


@pytest.mark.parametrize(
    ("file", "field"),
    [pytest.param(f, field, id=f"{f}-{kind}") for f, kind, _, field in MALFORMED],
)
def test_malformed_record_names_file_record_and_field(
    tau_dir: Path, tmp_path: Path, file: str, field: str
) -> None:
    edit = next(e for f, _, e, fld in MALFORMED if f == file and fld == field)
    for name in ("orders", "products", "users"):
        shutil.copy(tau_dir / "db" / f"{name}.json", tmp_path / f"{name}.json")
    table = json.loads((tmp_path / f"{file}.json").read_text())
    edit(table)
    (tmp_path / f"{file}.json").write_text(json.dumps(table))
    with pytest.raises(StoreFileError) as caught:
        RetailStore.load(tmp_path)
    error = caught.value
    assert error.path == str(tmp_path / f"{file}.json")
    assert error.record is not None
    assert error.field is not None
    assert field in error.field
    assert error.record in str(error) and "nothing was loaded" in str(error)


def test_bad_json_and_missing_file(tau_dir: Path, tmp_path: Path) -> None:
    for name in ("orders", "products"):
        shutil.copy(tau_dir / "db" / f"{name}.json", tmp_path / f"{name}.json")
    with pytest.raises(StoreFileError, match=r"users\.json: the file does not exist"):
        RetailStore.load(tmp_path)
    (tmp_path / "users.json").write_text('{"a": ')
    with pytest.raises(StoreFileError, match="not valid JSON") as caught:
        RetailStore.load(tmp_path)
    assert caught.value.record is None
    (tmp_path / "users.json").write_text("[]")
    with pytest.raises(StoreFileError, match="expected a JSON object"):
        RetailStore.load(tmp_path)


def test_order_of_an_unknown_user_is_refused(tau_dir: Path, tmp_path: Path) -> None:
    for name in ("orders", "products", "users"):
        shutil.copy(tau_dir / "db" / f"{name}.json", tmp_path / f"{name}.json")
    orders = json.loads((tmp_path / "orders.json").read_text())
    _first(orders)["user_id"] = "ghost_0"
    (tmp_path / "orders.json").write_text(json.dumps(orders))
    with pytest.raises(StoreFileError) as caught:
        RetailStore.load(tmp_path)
    assert (caught.value.record, caught.value.field) == (next(iter(orders)), "user_id")


@pytest.mark.parametrize("name", ["orders", "products", "users"])
def test_a_store_file_repeating_a_key_is_refused_naming_file_and_key(
    tau_dir: Path, tmp_path: Path, name: str
) -> None:
    for table in ("orders", "products", "users"):
        shutil.copy(tau_dir / "db" / f"{table}.json", tmp_path / f"{table}.json")
    text = (tmp_path / f"{name}.json").read_text(encoding="utf-8")
    first_key = next(iter(json.loads(text)))
    # The first record's key again at the end: `json` would keep the second silently.
    again = text.rstrip().removesuffix("}") + f', "{first_key}": {{}}}}'
    (tmp_path / f"{name}.json").write_text(again, encoding="utf-8")
    with pytest.raises(DuplicateKeyError) as caught:
        RetailStore.load(tmp_path)
    assert (caught.value.path, caught.value.key) == (str(tmp_path / f"{name}.json"), first_key)
    assert f"{name}.json: the key {first_key!r} appears twice" in str(caught.value)
