"""A location's deck, its uploaded slide photo and the photo's slide copy are the catalogue's
documents: retention and erasure keep them, whoever uploaded them."""

from __future__ import annotations

import io
import uuid

import httpx
from fastapi import FastAPI
from PIL import Image

from salesbot.kit.ids import new_id
from salesbot.lifecycle.references import business_file_ids
from tests.api.locations.support import PPTX_TYPE, make_team, seed_catalogue, upload
from tests.unit.proposals.helpers import build_template


async def test_location_decks_and_photos_are_business_documents(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    team = await make_team(app)
    await seed_catalogue(client, team.admin)
    image = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 20, 20)).save(image, "PNG")
    photo_id = await upload(client, team.admin, "site.png", image.getvalue(), "image/png")
    saved = await client.put(
        "/api/locations/uae21/photo", json={"file_id": photo_id}, headers=team.admin.headers
    )
    assert saved.status_code == 200, saved.text
    slide_id = saved.json()["slide_photo_file_id"]
    deck_id = await upload(client, team.admin, "deck.pptx", build_template(), PPTX_TYPE)
    response = await client.put(
        "/api/locations/jawhara/template", json={"file_id": deck_id}, headers=team.admin.headers
    )
    assert response.status_code == 200
    kept = {uuid.UUID(photo_id), uuid.UUID(slide_id), uuid.UUID(deck_id)}
    async with app.state.db.sessions() as session:
        assert await business_file_ids(session, [*kept, new_id()]) == kept
