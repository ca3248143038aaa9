"""resolve_model: the accepted specs and what each gives."""

from __future__ import annotations

import subprocess
import sys

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI

from shopcrew.errors import ConfigError, ModelEndpointError, UnknownModelSpecError
from shopcrew.models.factory import NO_KEY_PLACEHOLDER, resolve_model
from shopcrew.models.rules import RulesChatModel
from shopcrew.settings import Settings


def test_rules_spec_gives_the_rules_model() -> None:
    assert isinstance(resolve_model("rules"), RulesChatModel)


def test_a_chat_model_passes_through() -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage("x")]))
    assert resolve_model(model) is model


def test_openai_spec_reads_endpoint_and_key_from_settings() -> None:
    settings = Settings(openai_base_url="http://127.0.0.1:9/v1", openai_api_key="sk-abc")
    model = resolve_model("openai:qwen-plus", settings=settings)
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("qwen-plus", "http://127.0.0.1:9/v1")
    assert model.openai_api_key is not None
    assert model.openai_api_key.get_secret_value() == "sk-abc"


def test_endpoint_without_key_sends_a_placeholder_key() -> None:
    settings = Settings(openai_base_url="http://127.0.0.1:9/v1")
    model = resolve_model("openai:llama3", settings=settings)
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_key is not None
    assert model.openai_api_key.get_secret_value() == NO_KEY_PLACEHOLDER


def test_no_key_and_no_endpoint_is_an_error_naming_the_variables() -> None:
    with pytest.raises(ModelEndpointError) as caught:
        resolve_model("openai:gpt-4o", settings=Settings())
    assert str(caught.value) == (
        "model 'openai:gpt-4o' needs an endpoint: set OPENAI_API_KEY (OpenAI) or "
        "OPENAI_BASE_URL (an OpenAI-compatible server), or pass --model rules for the offline "
        "rules model"
    )
    assert isinstance(caught.value, ConfigError)


@pytest.mark.parametrize("spec", ["gpt-4o", "openai:", "anthropic:claude", ""])
def test_unknown_spec_names_the_accepted_forms(spec: str) -> None:
    with pytest.raises(UnknownModelSpecError, match=r"'rules'.*'openai:<model name>'"):
        resolve_model(spec)
    assert issubclass(UnknownModelSpecError, ValueError)


@pytest.mark.slow  # a fresh interpreter
def test_a_crew_on_the_rules_model_loads_no_openai_client_matplotlib_or_scipy() -> None:
    # SciPy comes with the planner's optimiser, at the first budget review.
    code = (
        "import sys\n"
        "from shopcrew.graphs.crew import build_crew\n"
        "from shopcrew.models.factory import resolve_model\n"
        "build_crew(model=resolve_model('rules'))\n"
        "heavy = ('langchain_openai', 'openai', 'matplotlib', 'scipy', 'mcp')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.slow  # a fresh interpreter
def test_the_cs_eval_loads_no_openai_client_mcp_client_or_scipy_stats() -> None:
    # The act classifier brings scikit-learn (and SciPy's core) at the first message, no more.
    code = (
        "import sys\n"
        "import shopcrew.cli.evaluate\n"
        "from shopcrew.evaluation.cs.run import run_cs_trials\n"
        "heavy = ('langchain_openai', 'openai', 'matplotlib', 'scipy', 'mcp')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
