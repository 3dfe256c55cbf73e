"""Intake: classification, deterministic extraction, notes overriding the document, bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.booking_orders.conftest import (
    BO_PDF_LINES,
    Person,
    World,
    csv_bytes,
    intake,
    new_bo,
    png_bytes,
    text_pdf,
    upload,
    worked_csv,
)


async def _original(client: httpx.AsyncClient, person: Person, bo: dict[str, Any]) -> bytes:
    """The stored original, downloaded through the link the booking order gives."""
    response = await client.get(bo["source_file"]["download_url"], headers=person.headers)
    assert response.status_code == 200, response.text
    return response.content


async def test_a_csv_booking_order_becomes_a_draft_with_exact_totals(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    assert bo["state"] == "draft"
    assert bo["version"] == 1
    assert bo["company"] == {"code": "viola", "name": "Viola"}
    assert bo["owner_id"] == str(world.sales.id)
    assert bo["extraction"] == "table"
    fields = bo["fields"]
    assert (fields["client"], fields["bo_number"], fields["agency"]) == (
        "Nike",
        "DPD-112652",
        "OMD",
    )
    assert [loc["name"] for loc in fields["locations"]] == ["UAE02", "UAE03", "UAE21"]
    assert [loc["post_sla"] for loc in fields["locations"]] == [
        "144000.00",
        "144000.00",
        "126000.00",
    ]
    assert bo["totals"] == {
        "currency": "AED",
        "rentals": "460000.00",
        "municipality_fee": "520.00",
        "production_upload_fee": "2000.00",
        "net_pre_vat": "462520.00",
        "vat": "23126.00",
        "gross": "485646.00",
        "sla_deduction": "46000.00",
        "net_excl_sla": "416520.00",
    }
    assert bo["warnings"] == []
    assert bo["missing"] == []
    assert bo["allowed_actions"] == ["submit", "cancel"]
    assert bo["editable"] is True
    assert bo["source_file"]["name"] == "booking-order.csv"
    assert await _original(client, world.sales, bo) == worked_csv()


async def test_the_message_overrides_the_document_and_can_name_the_company(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(
        client, world.sales, company=None, notes="booking order for Viola, upload fee is 3000"
    )
    assert bo["company"]["name"] == "Viola"
    assert bo["fields"]["production_upload_fee"] == "3000"
    # The document's printed totals described the old fee, so they are recalculated.
    assert bo["totals"]["net_pre_vat"] == "463520.00"
    assert bo["warnings"] == []


async def test_the_sentence_names_our_company_and_the_fee_beside_the_clients_name(
    client: httpx.AsyncClient, world: World
) -> None:
    """ "from Emirates NBD for Viola": the offline model may pass the client's name as the
    company; the message's own mention of one of ours decides, and the fee is read too."""
    bo = await new_bo(
        client,
        world.sales,
        company="Emirates NBD",
        notes="here is the signed BO from Emirates NBD for Viola, upload fee is 6000",
    )
    assert bo["company"]["name"] == "Viola"
    assert bo["fields"]["production_upload_fee"] == "6000"


async def test_an_unknown_company_alone_is_still_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await intake(client, world.sales, company="Emirates NBD", notes="signed BO")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_company"


async def test_a_re_upload_of_the_same_bo_number_warns_and_links_the_first(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await new_bo(client, world.sales)
    again = await new_bo(client, world.sales)
    [warning] = again["warnings"]
    assert warning.startswith("Booking order number DPD-112652 already exists:")
    assert f"(/booking-orders/{first['id']})" in warning
    # Another company's order with the same client number is not the same order.
    other = await new_bo(client, world.sales, company="backlite")
    assert other["warnings"] == []


async def test_without_a_company_the_user_is_asked_which(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await intake(client, world.sales, company=None)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "company_required"
    assert "Backlite or Viola" in response.json()["error"]["message"]


async def test_totals_that_do_not_add_up_are_kept_and_warned_about(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales, data=worked_csv(**{"Net amount (pre-VAT)": "470,000"}))
    assert bo["totals"]["net_pre_vat"] == "470000.00"
    assert bo["warnings"][0] == (
        "Location totals (460,000.00) + fees (municipality: 520.00, prod/upload: 2,000.00) "
        "= 462,520.00 doesn't match net (470,000.00)"
    )


async def test_missing_required_data_is_listed_not_guessed(
    client: httpx.AsyncClient, world: World
) -> None:
    rows = [
        ["Booking order"],
        ["BO No.", "X-1"],
        ["Agency", "OMD"],
        ["Location", "Start date", "End date", "Net amount"],
        ["UAE21", "1st March 2025", "", "0"],
    ]
    bo = await new_bo(client, world.sales, data=csv_bytes(rows))
    assert bo["missing"] == ["Client", "Net amount", "UAE21 end date", "UAE21 net amount"]


async def test_a_text_pdf_with_labelled_fields(client: httpx.AsyncClient, world: World) -> None:
    pdf = text_pdf(BO_PDF_LINES)  # built once: each build stamps its own creation time
    bo = await new_bo(
        client,
        world.sales,
        data=pdf,
        name="order.pdf",
        content_type="application/pdf",
    )
    assert bo["extraction"] == "pdf_text"
    assert bo["totals"]["gross"] == "485646.00"
    assert await _original(client, world.sales, bo) == pdf


async def test_artwork_is_refused_with_its_classification(
    client: httpx.AsyncClient, world: World
) -> None:
    artwork = text_pdf(
        ["Artwork for UAE02", "1920x1080 px, 300 dpi, CMYK, print ready", "Final creative"]
    )
    response = await intake(
        client, world.sales, data=artwork, name="art.pdf", content_type="application/pdf"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_a_booking_order"
    assert error["details"] == {"classification": "artwork"}
    assert "classified as: artwork" in error["message"]
    listed = await client.get("/api/booking-orders", headers=world.sales.headers)
    assert listed.json()["items"] == []


async def test_an_unrelated_document_is_refused(client: httpx.AsyncClient, world: World) -> None:
    response = await intake(client, world.sales, data=b"hello,world\n1,2\n")
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"classification": "unknown"}


async def test_a_photo_needs_an_ai_provider(client: httpx.AsyncClient, world: World) -> None:
    response = await intake(
        client, world.sales, data=png_bytes(), name="photo.png", content_type="image/png"
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Reading a photographed booking order needs an AI provider; "
        "upload the PDF or Excel instead."
    )


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Municipality fee", "-520", "Municipality fee can't be negative"),
        ("Net amount (pre-VAT)", "5,000,000,000", "Net amount looks wrong"),
    ],
)
async def test_negative_or_absurd_amounts_are_refused(
    client: httpx.AsyncClient, world: World, label: str, value: str, message: str
) -> None:
    response = await intake(client, world.sales, data=worked_csv(**{label: value}))
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


async def test_someone_elses_file_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    file_id = await upload(client, world.sales2, "bo.csv", worked_csv(), "text/csv")
    response = await client.post(
        "/api/booking-orders",
        json={"file_id": str(file_id), "company": "viola"},
        headers=world.sales.headers,
    )
    assert response.status_code == 404


async def test_intake_needs_the_create_permission(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    file_id = await upload(client, world.sales, "bo.csv", worked_csv(), "text/csv")
    response = await client.post(
        "/api/booking-orders",
        json={"file_id": str(file_id), "company": "viola"},
        headers=world.finance.headers,
    )
    assert response.status_code == 403
    unknown = await client.post(
        "/api/booking-orders",
        json={"file_id": str(file_id), "company": "acme"},
        headers=world.sales.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_company"
    allowed = unknown.json()["error"]["details"]["allowed"]  # the companies one may choose
    assert allowed and set(allowed) <= {"backlite", "viola"}
    assert all(c.title() in unknown.json()["error"]["message"] for c in allowed)


async def test_the_company_roles_can_read_the_original(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    url = bo["source_file"]["download_url"]
    assert (await client.get(url, headers=world.coord.headers)).status_code == 200
    assert await _original(client, world.coord, bo) == worked_csv()
    assert (await client.get(url, headers=world.coord_b.headers)).status_code == 404


# ---------------------------------------------------------------- with an LLM provider


def _model_answering(answer: dict[str, object], seen: list[object]) -> object:
    from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.extend(messages[0].parts)
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, answer)])

    return FunctionModel(reply)


LLM_ANSWER: dict[str, object] = {
    "classification": "booking_order",
    "bo_number": "PH-77",
    "client": "Adidas",
    "currency": "AED",
    "municipality_fee": 520,
    "sla_pct": 10,
    "locations": [
        {
            "name": "UAE21",
            "start_date": "2025-03-01",
            "end_date": "2025-03-31",
            "net_amount": "100000",
        }
    ],
}


async def test_with_an_llm_a_photo_is_read_with_the_strict_schema(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic_ai.messages import BinaryContent, UserPromptPart

    from salesbot.booking_orders import service

    seen: list[object] = []
    model = _model_answering(LLM_ANSWER, seen)
    monkeypatch.setattr(service, "llm_model", lambda settings: model)
    bo = await new_bo(
        client,
        world.sales,
        data=png_bytes(),
        name="photo.png",
        content_type="image/png",
        notes="for Viola, DM fee 1000",
    )
    assert bo["extraction"] == "llm"
    assert bo["fields"]["client"] == "Adidas"
    assert bo["fields"]["municipality_fee"] == "1000"  # the message wins over the document
    assert bo["totals"]["net_pre_vat"] == "101000.00"
    assert bo["fields"]["locations"][0]["campaign_duration"] == "1 month"
    assert await _original(client, world.sales, bo) == png_bytes()
    prompt = next(p for p in seen if isinstance(p, UserPromptPart))
    images = [c for c in prompt.content if isinstance(c, BinaryContent)]
    assert [i.media_type for i in images] == ["image/png"]


async def test_with_an_llm_artwork_and_bad_amounts_are_refused(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesbot.booking_orders import service

    model = _model_answering({"classification": "artwork"}, [])
    monkeypatch.setattr(service, "llm_model", lambda settings: model)
    art = await intake(
        client, world.sales, data=png_bytes(), name="art.png", content_type="image/png"
    )
    assert art.status_code == 422
    assert art.json()["error"]["details"] == {"classification": "artwork"}

    negative = _model_answering({**LLM_ANSWER, "vat": "-10"}, [])
    monkeypatch.setattr(service, "llm_model", lambda settings: negative)
    bad = await intake(
        client, world.sales, data=png_bytes(), name="bo.png", content_type="image/png"
    )
    assert bad.status_code == 422
    assert "VAT can't be negative" in bad.json()["error"]["message"]


async def test_a_failing_provider_falls_back_to_the_parser(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic_ai.messages import ModelMessage, ModelResponse
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    from salesbot.booking_orders import service

    def broken(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ConnectionError("provider down")

    monkeypatch.setattr(service, "llm_model", lambda settings: FunctionModel(broken))
    bo = await new_bo(client, world.sales)
    assert bo["extraction"] == "table"
    assert bo["warnings"] == ["The AI provider was unavailable; the document was read without it"]
    photo = await intake(
        client, world.sales, data=png_bytes(), name="p.png", content_type="image/png"
    )
    assert photo.status_code == 422
    assert photo.json()["error"]["code"] == "ai_provider_failed"
