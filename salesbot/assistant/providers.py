"""The one LLM provider factory: `SALESBOT_LLM_MODEL` and friends become a PydanticAI model.

Chat uses it (and falls back to the offline model when it returns None or the provider fails);
so does booking-order extraction, through `usable_model`, which reads without an LLM instead.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from salesbot.kit.logging import get_logger
from salesbot.settings import Settings

if TYPE_CHECKING:
    from pydantic_ai.models import Model

log = get_logger(__name__)

# Gemini's OpenAI-compatible endpoint: serves `google:` models through the OpenAI client, which
# the installed stack has (the google-genai SDK is not part of it).
GEMINI_OPENAI_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"


class ProviderConfigError(ValueError):
    """SALESBOT_LLM_MODEL names something the assistant cannot use."""


def provider_errors() -> tuple[type[BaseException], ...]:
    """Failures of the provider (HTTP errors, timeouts, refused connections, garbled answers).

    The run continues on the offline model after one of these; bugs in our own code are not in
    the list. An SDK's errors are included once it is loaded: an SDK that was never imported
    cannot have raised, and importing openai/anthropic up front costs seconds of start-up.
    """
    import httpx
    from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior

    errors: list[type[BaseException]] = [
        ModelAPIError,
        UnexpectedModelBehavior,
        httpx.HTTPError,
        TimeoutError,
        ConnectionError,
    ]
    for sdk in ("openai", "anthropic"):
        module = sys.modules.get(sdk)
        if module is not None:
            errors.append(module.APIError)
    return tuple(errors)


def provider_model(settings: Settings) -> Model | None:
    """The configured provider model, or None for the offline model."""
    spec = (settings.llm_model or "").strip()
    if not spec or spec == "offline":
        return None
    provider, _, name = spec.partition(":")
    if not name:
        raise ProviderConfigError(
            "SALESBOT_LLM_MODEL must look like openai:<model>, anthropic:<model> or google:<model>"
        )
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    base_url = settings.llm_base_url or None
    timeout = settings.llm_timeout_s
    retries = settings.llm_max_retries
    if provider == "openai" or provider in ("google", "google-gla", "gemini"):
        from openai import AsyncOpenAI
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        if provider != "openai":
            base_url = base_url or GEMINI_OPENAI_URL
        if not key and not base_url:
            raise ProviderConfigError("SALESBOT_LLM_API_KEY is needed for OpenAI")
        # Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) accept any key.
        client = AsyncOpenAI(
            api_key=key or "not-needed", base_url=base_url, timeout=timeout, max_retries=retries
        )
        return OpenAIChatModel(name, provider=OpenAIProvider(openai_client=client))
    if provider == "anthropic":
        from anthropic import AsyncAnthropic
        from pydantic_ai.models.anthropic import AnthropicModel
        from pydantic_ai.providers.anthropic import AnthropicProvider

        if not key:
            raise ProviderConfigError("SALESBOT_LLM_API_KEY is needed for Anthropic")
        anthropic_client = AsyncAnthropic(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=retries
        )
        return AnthropicModel(name, provider=AnthropicProvider(anthropic_client=anthropic_client))
    raise ProviderConfigError(
        "SALESBOT_LLM_MODEL must start with openai:, anthropic: or google: (or be unset)"
    )


def observe(model: Model, settings: Settings) -> Model:
    """The provider model with its calls counted, timed, traced and their failures logged
    (`observed.ObservedModel`, the one wrapper)."""
    from salesbot.assistant.observed import ObservedModel  # PydanticAI loads on first use

    label = model_label(settings).partition(":")[0]
    return ObservedModel(model, provider=label, errors=provider_errors())


def model_label(settings: Settings) -> str:
    """The `provider:name` recorded in usage and on conversations."""
    return (settings.llm_model or "offline").strip() or "offline"


def usable_model(settings: Settings) -> Model | None:
    """The provider model, or None when none is set or the configuration cannot work (logged)."""
    try:
        model = provider_model(settings)
    except ProviderConfigError as exc:
        log.error("llm_provider_unusable", problem=str(exc))
        return None
    return observe(model, settings) if model is not None else None
