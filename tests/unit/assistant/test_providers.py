"""The one provider factory: what each SALESBOT_LLM_MODEL becomes."""

from __future__ import annotations

import pytest
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.openai import OpenAIChatModel

from salesbot.assistant.providers import (
    GEMINI_OPENAI_URL,
    ProviderConfigError,
    model_label,
    provider_model,
    usable_model,
)
from salesbot.settings import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [None, "", "offline", "  "])
def test_unset_or_offline_means_the_offline_model(name: str | None) -> None:
    settings = _settings(llm_model=name)
    assert provider_model(settings) is None
    assert usable_model(settings) is None


def test_openai_and_anthropic_names() -> None:
    openai = provider_model(_settings(llm_model="openai:gpt-4.1", llm_api_key="k"))
    assert isinstance(openai, OpenAIChatModel) and openai.model_name == "gpt-4.1"
    claude = provider_model(_settings(llm_model="anthropic:claude-x", llm_api_key="k"))
    assert isinstance(claude, AnthropicModel) and claude.model_name == "claude-x"


def test_a_local_openai_compatible_server_needs_no_key() -> None:
    model = provider_model(
        _settings(llm_model="openai:llama3", llm_base_url="http://localhost:11434/v1")
    )
    assert isinstance(model, OpenAIChatModel)
    assert str(model.client.base_url).startswith("http://localhost:11434/v1")


def test_google_goes_through_the_gemini_openai_endpoint() -> None:
    model = provider_model(_settings(llm_model="google:gemini-2.5-flash", llm_api_key="k"))
    assert isinstance(model, OpenAIChatModel)
    assert str(model.client.base_url) == GEMINI_OPENAI_URL


@pytest.mark.parametrize(
    "values",
    [
        {"llm_model": "gpt-4.1", "llm_api_key": "k"},  # no provider prefix
        {"llm_model": "mistral:large", "llm_api_key": "k"},
        {"llm_model": "anthropic:claude-x"},  # no key
        {"llm_model": "openai:gpt-4.1"},  # no key, no local server
    ],
)
def test_unusable_configurations(values: dict[str, object]) -> None:
    settings = _settings(**values)
    with pytest.raises(ProviderConfigError):
        provider_model(settings)
    assert usable_model(settings) is None  # callers with a model-free path read without one


def test_model_label() -> None:
    assert model_label(_settings()) == "offline"
    assert model_label(_settings(llm_model=" openai:gpt-4.1 ")) == "openai:gpt-4.1"
