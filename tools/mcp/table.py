"""A platform's mapping table: which MCP tool serves each adapter method, and how.

One YAML file per platform (`platforms/<name>.yaml`, shipped with the package, or any file a
merchant writes) says, for every method of the retail adapter Protocols, the platform's tool
name, how our argument names map onto the tool's, where the record sits in the tool's
answer, how record fields are renamed, and how the platform reports errors:

```yaml
platform: reference
idempotency_argument: idempotency_key   # the tools' key argument; null: keys not supported
errors: {code: code, message: message, kind: resource, record_id: id,
         not_found: [NOT_FOUND], rule: [RULE_VIOLATION], conflict: [IDEMPOTENCY_CONFLICT],
         kinds: {order: order, payment_instrument: payment method}}
records:
  order: {fields: {user_id: customer_id}}   # our field: the platform's field
operations:
  get_order: {tool: order_get, arguments: {order_id: id}, result: order}
```

`load_platform_table` validates the file into `PlatformTable` and checks it against the
Protocols (every method mapped, every argument named); a bad table raises
`PlatformTableError` naming the file and the field.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from shopcrew.errors import PlatformTableError

__all__ = [
    "ADS_OPERATIONS",
    "OPERATIONS",
    "WRITE_OPERATIONS",
    "ErrorMap",
    "Operation",
    "PlatformTable",
    "RecordKind",
    "RecordMap",
    "bundled_platforms",
    "load_platform_table",
]

RecordKind = Literal["order", "customer", "product", "campaign"]
"""The records whose fields a table may rename."""

OPERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "get_product": ("product_id",),
    "list_products": (),
    "list_product_types": (),
    "get_customer": ("customer_id",),
    "find_customer_id_by_email": ("email",),
    "find_customer_id_by_name_zip": ("first_name", "last_name", "zip_code"),
    "find_customer_id_by_name_phone": ("first_name", "last_name", "phone"),
    "modify_customer_address": ("customer_id", "address"),
    "get_order": ("order_id",),
    "list_orders": ("customer_id",),
    "cancel_order": ("order_id", "reason"),
    "modify_order_address": ("order_id", "address"),
    "modify_order_payment": ("order_id", "payment_method_id"),
    "modify_order_items": ("order_id", "item_ids", "new_item_ids", "payment_method_id"),
    "return_order_items": ("order_id", "item_ids", "payment_method_id"),
    "exchange_order_items": ("order_id", "item_ids", "new_item_ids", "payment_method_id"),
}
"""Every method of `CatalogAdapter`, `CustomerAdapter` and `OrderAdapter` with its arguments."""

ADS_OPERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "get_campaign": ("campaign_id",),
    "list_campaigns": (),
    "set_campaign_budget": ("campaign_id", "daily_budget"),
    "pause_campaign": ("campaign_id",),
    "resume_campaign": ("campaign_id",),
}
"""The methods of `AdsAdapter`: optional, but a table maps all of them or none."""

WRITE_OPERATIONS: Final[frozenset[str]] = frozenset(
    name
    for name in [*OPERATIONS, *ADS_OPERATIONS]
    if name.startswith(("modify_", "cancel_", "return_", "exchange_", "set_", "pause_", "resume_"))
)
"""The methods that change the store and take an idempotency key."""

_STRICT = ConfigDict(extra="forbid", frozen=True)
_PLATFORMS = "platforms"


class Operation(BaseModel):
    """How one adapter method calls the platform."""

    model_config = _STRICT

    tool: str = Field(min_length=1, description="The platform's MCP tool name.")
    arguments: dict[str, str] = Field(
        default_factory=dict,
        description="Our argument name -> the tool's argument name, for every argument.",
    )
    constants: dict[str, JsonValue] = Field(
        default_factory=dict, description="Arguments always sent with these values."
    )
    result: str | None = Field(
        default=None,
        description="Dotted path of the value in the tool's structured answer; None: all of it.",
    )


class RecordMap(BaseModel):
    """How a platform's record differs from ours."""

    model_config = _STRICT

    fields: dict[str, str] = Field(
        default_factory=dict, description="Our field name -> the platform's field name."
    )
    ignore: list[str] = Field(
        default_factory=list, description="Platform fields we do not keep (e.g. its own `id`)."
    )


class ErrorMap(BaseModel):
    """How a tool's error answer (a JSON object in its text) maps onto our errors."""

    model_config = _STRICT

    code: str = Field(description="The field holding the error code.")
    message: str = Field(description="The field holding the human-readable message.")
    kind: str | None = Field(default=None, description="The field naming a missing record's kind.")
    record_id: str | None = Field(default=None, description="The field holding a missing id.")
    not_found: list[str] = Field(description="Codes meaning a record does not exist.")
    rule: list[str] = Field(description="Codes meaning a store rule refused the change.")
    conflict: list[str] = Field(
        default_factory=list,
        description="Codes meaning an idempotency key was reused for another request.",
    )
    kinds: dict[str, str] = Field(
        default_factory=dict, description="The platform's record kind -> ours (`order`...)."
    )


class PlatformTable(BaseModel):
    """One platform's whole mapping (see the module docstring)."""

    model_config = _STRICT

    platform: str = Field(min_length=1, description="The platform's name.")
    description: str = ""
    idempotency_argument: str | None = Field(
        description="The write tools' idempotency key argument; null when not supported."
    )
    errors: ErrorMap
    records: dict[RecordKind, RecordMap] = Field(default_factory=dict)
    operations: dict[str, Operation]

    @property
    def serves_ads(self) -> bool:
        """Whether the table maps the `AdsAdapter` methods too."""
        return "get_campaign" in self.operations

    def record_map(self, kind: RecordKind) -> RecordMap:
        """The field mapping of `kind` (no renames when the table gives none)."""
        return self.records.get(kind) or RecordMap()


def bundled_platforms() -> list[str]:
    """The names of the tables shipped with the package."""
    folder = files(__package__ or "shopcrew.tools.mcp").joinpath(_PLATFORMS)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_platform_table(source: str | os.PathLike[str]) -> PlatformTable:
    """Load a table by bundled platform name (`"reference"`) or by path to a YAML file.

    Raises:
        PlatformTableError: no such platform or file, not YAML, or a field that does not
            validate or does not fit the adapter Protocols (the error names the field).
    """
    path = Path(source)
    if path.suffix not in (".yaml", ".yml"):
        if str(source) not in bundled_platforms():
            known = ", ".join(bundled_platforms())
            raise PlatformTableError(
                str(source), f"no bundled platform of this name (bundled: {known}); give a path"
            )
        path = Path(str(files(__package__ or "shopcrew.tools.mcp").joinpath(_PLATFORMS)))
        path = path / f"{source}.yaml"
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlatformTableError(where, f"cannot read the file ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise PlatformTableError(where, f"not valid YAML ({exc})") from exc
    try:
        table = PlatformTable.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"] if part != "[key]") or None
        raise PlatformTableError(where, first["msg"], field=field) from exc
    _check_operations(where, table)
    return table


def _check_operations(where: str, table: PlatformTable) -> None:
    for name, operation in table.operations.items():
        params = OPERATIONS.get(name, ADS_OPERATIONS.get(name))
        if params is None:
            raise PlatformTableError(
                where,
                "not a method of the retail or ads adapter Protocols",
                field=f"operations.{name}",
            )
        extra = sorted(set(operation.arguments) - set(params))
        missing = [param for param in params if param not in operation.arguments]
        if extra or missing:
            problem = f"maps {extra} (not arguments of {name})" if extra else f"misses {missing}"
            raise PlatformTableError(
                where,
                f"{problem}; map each of {list(params)} to the tool's argument name",
                field=f"operations.{name}.arguments",
            )
    unmapped = [name for name in OPERATIONS if name not in table.operations]
    ads = [name for name in ADS_OPERATIONS if name not in table.operations]
    if not unmapped and len(ads) not in (0, len(ADS_OPERATIONS)):
        unmapped = ads  # the ads methods come all together, or not at all
    if unmapped:
        raise PlatformTableError(
            where, f"no tool for {unmapped}; every adapter method needs one", field="operations"
        )
