"""Which rate option the client accepts, per location (separate) or the package (combined)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from salesbot.kit.errors import ValidationFailed
from salesbot.proposals.schemas import OptionOut, ProposalLocationOut, ProposalOut
from salesbot.sharing.schemas import Choice


@dataclass(frozen=True)
class Chosen:
    location: str  # key, or "package"
    name: str
    option: int
    duration: str
    net_rate_aed: str
    total_aed: str
    total_text: str

    @property
    def line(self) -> str:
        return f"{self.name}: {self.duration}, total {self.total_text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "name": self.name,
            "option": self.option,
            "duration": self.duration,
            "net_rate_aed": self.net_rate_aed,
            "total_aed": self.total_aed,
            "total": self.total_text,
        }


def _option(loc: ProposalLocationOut, picked: dict[str, int]) -> tuple[int, OptionOut]:
    if loc.key in picked:
        index = picked[loc.key]
        if index >= len(loc.options):
            raise ValidationFailed(
                f"{loc.display_name} has no option {index + 1}.", code="unknown_option"
            )
        return index, loc.options[index]
    if len(loc.options) == 1:
        return 0, loc.options[0]
    raise ValidationFailed(
        f"Choose one of the rate options for {loc.display_name}.",
        code="option_required",
        details={"location": loc.key},
    )


def chosen_options(proposal: ProposalOut, choices: Sequence[Choice]) -> list[Chosen]:
    """One choice per location of a separate proposal (a single option is chosen for you);
    the package of a combined one. Refuses choices naming other locations or options."""
    if proposal.package is not None:
        names = ", ".join(loc.display_name for loc in proposal.locations)
        package = proposal.package
        duration = proposal.locations[0].durations[0] if proposal.locations else ""
        return [
            Chosen(
                "package",
                names,
                0,
                duration,
                package.net_rate.aed,
                package.total.aed,
                package.total.text,
            )
        ]
    keys = {loc.key for loc in proposal.locations}
    picked: dict[str, int] = {}
    for choice in choices:
        if choice.location not in keys or choice.location in picked:
            raise ValidationFailed(
                "The options chosen do not match this proposal.", code="unknown_option"
            )
        picked[choice.location] = choice.option
    found = []
    for loc in proposal.locations:
        index, option = _option(loc, picked)
        found.append(
            Chosen(
                loc.key,
                loc.display_name,
                index,
                option.duration,
                option.net_rate.aed,
                option.total.aed,
                option.total.text,
            )
        )
    return found
