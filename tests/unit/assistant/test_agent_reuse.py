"""The chat agent is built once per set of tools and reused by later runs."""

from salesbot.assistant.agent import build_agent
from salesbot.assistant.tooling import discover_tools


def test_the_same_tools_get_the_same_agent_and_other_tools_another() -> None:
    tools = list(discover_tools().values())
    everything = build_agent(tools)
    assert build_agent(list(tools)) is everything
    fewer = build_agent(tools[:3])
    assert fewer is not everything
    assert sorted(fewer._function_toolset.tools) == sorted(t.name for t in tools[:3])
    assert sorted(everything._function_toolset.tools) == sorted(t.name for t in tools)
