"""The /proposal modal's fields become the web form's request, and the API's validation errors
land beside the field they are about (pure functions of salesbot.slack.proposal_form)."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from salesbot.proposals.schemas import ProposalCreate
from salesbot.slack.proposal_form import body_of, errors_of


def test_a_combined_package_from_the_modal() -> None:
    body = body_of(
        {
            "kind": "combined",
            "client_name": "Nike",
            "locations": "landmark\njawhara",
            "durations": "2 weeks",
            "net_rates": "2M",
            "start_date": "2027-01-01",
            "production_fee": "5000",
            "currency": "USD",
        }
    )
    assert body == {
        "kind": "combined",
        "client_name": "Nike",
        "currency": "USD",
        "locations": [
            {
                "location": "landmark",
                "start_date": "2027-01-01",
                "duration": "2 weeks",
                "production_fee": "5000",
            },
            {
                "location": "jawhara",
                "start_date": "2027-01-01",
                "duration": "2 weeks",
                "production_fee": "5000",
            },
        ],
        "combined_net_rate": "2M",
    }


def test_validation_errors_go_beside_their_fields() -> None:
    bad = {
        "kind": "combined",
        "client_name": "",
        "combined_net_rate": "x" * 500,
        "locations": [{"location": "landmark", "start_date": "2027-01-01", "duration": "y" * 99}],
    }
    try:
        TypeAdapter(ProposalCreate).validate_python(bad)
    except ValidationError as exc:
        fields = set(errors_of(exc))
    else:
        raise AssertionError("the request should have been refused")
    assert {"client_name", "net_rates", "durations"} <= fields
