"""The assistant: agent, tools, offline model, providers."""
