"""Platform tables: the bundled one maps every adapter method; a bad one names file and field."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopcrew.errors import DataFileError, PlatformTableError
from shopcrew.tools.mcp import bundled_platforms, load_platform_table
from shopcrew.tools.mcp.table import ADS_OPERATIONS, OPERATIONS


def _reference() -> dict[str, Any]:
    text = files("shopcrew.tools.mcp").joinpath("platforms", "reference.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_the_bundled_table_maps_every_method_onto_a_platform_tool_name() -> None:
    assert bundled_platforms() == ["reference"]
    table = load_platform_table("reference")
    assert sorted(table.operations) == sorted([*OPERATIONS, *ADS_OPERATIONS])
    assert table.serves_ads
    # Platform names, not ours: the mapping is really used.
    assert not {op.tool for op in table.operations.values()} & {*OPERATIONS, *ADS_OPERATIONS}
    assert table.operations["return_order_items"].arguments == {
        "order_id": "order_id",
        "item_ids": "line_item_ids",
        "payment_method_id": "refund_instrument_id",
    }


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _with(change: Any) -> dict[str, Any]:
    data = _reference()
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            _with(lambda d: d["operations"].update(refund_order={"tool": "x"})),
            "operations.refund_order",
        ),
        (
            _with(lambda d: d["operations"]["get_order"].update(arguments={})),
            "operations.get_order.arguments",
        ),
        (
            _with(lambda d: d["operations"]["get_order"]["arguments"].update(colour="c")),
            "operations.get_order.arguments",
        ),
        (_with(lambda d: d["operations"].pop("cancel_order")), "operations"),
        (_with(lambda d: d["operations"].pop("pause_campaign")), "operations"),
        (
            _with(lambda d: d["operations"]["get_order"].update(tool="")),
            "operations.get_order.tool",
        ),
        (_with(lambda d: d.update(colour="red")), "colour"),
        (_with(lambda d: d["records"].update(invoice={"fields": {}})), "records.invoice"),
        (_with(lambda d: d.pop("errors")), "errors"),
    ],
)
def test_a_bad_table_names_its_file_and_field(tmp_path: Path, data: object, field: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(PlatformTableError) as caught:
        load_platform_table(path)
    assert (caught.value.path, caught.value.field) == (str(path), field)
    assert isinstance(caught.value, DataFileError)


def test_a_table_without_the_ads_methods_serves_retail_only(tmp_path: Path) -> None:
    data = _with(lambda d: [d["operations"].pop(name) for name in ADS_OPERATIONS])
    assert not load_platform_table(_write(tmp_path, data)).serves_ads


def test_an_unknown_platform_or_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PlatformTableError, match="bundled: reference"):
        load_platform_table("shopify")
    with pytest.raises(PlatformTableError, match="cannot read"):
        load_platform_table(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("operations: [\n")
    with pytest.raises(PlatformTableError, match="not valid YAML"):
        load_platform_table(bad)
