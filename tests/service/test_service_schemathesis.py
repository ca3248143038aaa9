"""Fuzz the API from its own OpenAPI schema (schemathesis, in process): no 5xx, schema holds."""

from __future__ import annotations

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from shopcrew.agents.policy import Policy
from shopcrew.models import resolve_model
from shopcrew.service import InMemoryApiKeyStore, create_app

KEYS = InMemoryApiKeyStore()
KEY = KEYS.create("acme").key
APP = create_app(
    model=resolve_model("rules"),
    keys=KEYS,
    policy_for=lambda merchant: Policy(budget_move_threshold=0.0),
    max_body_bytes=16 * 1024,
)
# schemathesis' ASGI client (starlette-testclient) still names anyio's old BlockingPortal alias.
OLD_ANYIO = "ignore:The anyio.abc.BlockingPortal alias:DeprecationWarning"
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "The anyio.abc.BlockingPortal alias", DeprecationWarning)
    schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.filterwarnings(OLD_ANYIO)
@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema_and_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"})
