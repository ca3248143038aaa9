"""Data the product ships: demo stores, their knowledge bases and bundled scenarios.

Everything the product needs at run time lives here, inside the package, so an installed wheel
runs from any directory.

- `stores/<name>/`: a store directory (`orders.json`, `products.json`, `users.json`).
  `us_retail` is the τ-bench retail store, byte for byte (see its `LICENSE-NOTE.md`);
  `cn_tmall` is a Taobao/Tmall-style shop in Chinese, built by `stores/cn_tmall/build_store.py`.
- `kb/<name>.jsonl`: the knowledge base of the store of the same name.
- `terms/<lang>.yaml`: the words customers read for the domain's codes (order statuses,
  cancellation reasons, payment kinds, couriers), read by `shopcrew.tools.records.terms`.
- `scenarios/<name>.yaml`: the bundled scenarios (their data in `scenarios/data/`, the format in
  `scenarios/README.md`); `shopcrew run <name>` plays one from any directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = [
    "DEFAULT_STORE",
    "kb_path",
    "scenario_path",
    "scenarios",
    "scenarios_dir",
    "store_dir",
    "stores",
    "terms_path",
]

DEFAULT_STORE = "us_retail"
"""The store a scenario or service uses when it names none."""

_ROOT = Path(str(files(__name__)))


def stores() -> list[str]:
    """The names of the bundled stores."""
    return sorted(p.name for p in (_ROOT / "stores").iterdir() if (p / "orders.json").is_file())


def store_dir(name: str = DEFAULT_STORE) -> Path:
    """The directory of the bundled store `name`."""
    return _ROOT / "stores" / name


def kb_path(name: str = DEFAULT_STORE) -> Path:
    """The knowledge base (JSON lines) of the bundled store `name`."""
    return _ROOT / "kb" / f"{name}.jsonl"


def terms_path(lang: str) -> Path:
    """The domain's words in language `lang` (`zh`, `en`)."""
    return _ROOT / "terms" / f"{lang}.yaml"


def scenarios() -> list[str]:
    """The names of the bundled scenarios (`shopcrew run NAME`)."""
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


def scenarios_dir() -> Path:
    """The folder of the bundled scenarios, their data in `data/`, their format in README.md."""
    return _ROOT / "scenarios"


def scenario_path(name: str) -> Path:
    """The YAML file of the bundled scenario `name` (it may not exist: check `scenarios()`)."""
    return scenarios_dir() / f"{name}.yaml"
