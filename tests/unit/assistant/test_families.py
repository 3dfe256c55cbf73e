"""Capabilities register their offline phrases next to their tools; the engine finds them."""

from __future__ import annotations

import re

from salesbot.assistant.offline import rules
from salesbot.assistant.offline.keywords import GENERIC, merged
from salesbot.assistant.tooling import discover_tools


def test_each_capability_registers_its_phrases_in_its_own_folder() -> None:
    found = {f.name: f for f in rules.families()}
    assert list(found) == [
        "conversations",
        "inventory",
        "sharing",
        "proposal_edits",
        "booking_order",
        "prices",
        "location_admin",
        "mockup",
        "history",
        "proposal",
        "locations",
    ]
    assert found["proposal"].read is not None
    assert found["proposal"].read.__module__.startswith("salesbot.proposals.offline")
    assert found["proposal_edits"].read is not None
    assert found["proposal_edits"].read.__module__ == "salesbot.proposals.offline.editing"
    assert found["mockup"].read is not None
    assert found["mockup"].read.__module__ == "salesbot.mockups.offline"
    assert found["sharing"].read is not None
    assert found["sharing"].read.__module__ == "salesbot.sharing.offline"
    assert found["inventory"].read is not None
    assert found["inventory"].read.__module__ == "salesbot.inventory.offline"


def test_every_phrase_family_calls_real_tools_and_names_them() -> None:
    tools = discover_tools()
    for family in rules.families():
        for tool in family.tools:
            assert tool in tools, (family.name, tool)
            assert tool in rules.labels(), tool
    assert set(rules.family_of_tool()) == set(tools)  # every tool has phrases


def test_no_phrase_means_two_things() -> None:
    owner: dict[tuple[str, ...], str] = {}
    table = merged([GENERIC, *(f.keywords for f in rules.families())])
    for canonical, phrases in table.items():
        for phrase in phrases.split("|"):
            parts = tuple(re.findall(r"\w+|[^\w\s]", phrase.lower()))
            assert owner.setdefault(parts, canonical) == canonical, phrase
