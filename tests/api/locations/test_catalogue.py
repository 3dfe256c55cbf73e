"""Locations admin API: create with defaults, edit, deactivate, delete, match, permissions."""

from __future__ import annotations

import httpx

from tests.api.locations.support import Team


async def test_admin_creates_a_digital_location_with_the_spec_defaults(
    client: httpx.AsyncClient, team: Team
) -> None:
    response = await client.post(
        "/api/locations",
        json={
            "display_name": "The Dubai Mall Screen",
            "display_type": "digital",
            "company": "Backlite",
            "aliases": ["mall screen", " Mall Screen ", ""],
            "width_m": "10.5",
            "height_m": 20,
        },
        headers=team.admin.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["key"] == "dubai_mall_screen"  # made from the name, leading "the" dropped
    assert body["company"] == "backlite"
    assert body["company_name"] == "Backlite"
    assert body["aliases"] == ["mall screen"]
    assert (body["width_m"], body["height_m"]) == ("10.5", "20")
    assert body["number_of_faces"] == 1
    assert (body["spot_duration_s"], body["loop_duration_s"]) == (16, 96)
    assert (body["sov_pct"], body["upload_fee"]) == ("16.6", "3000")
    assert body["is_active"] is True and body["template_file_id"] is None

    fetched = await client.get("/api/locations/Dubai_Mall_Screen", headers=team.sales.headers)
    assert fetched.status_code == 200
    assert fetched.json() == body


async def test_static_locations_have_no_digital_fields(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    admin = catalogue.admin.headers
    uae21 = (await client.get("/api/locations/uae21", headers=admin)).json()
    assert uae21["display_type"] == "static"
    assert uae21["spot_duration_s"] is None and uae21["upload_fee"] is None
    # Turning a digital location static clears them; turning it back restores the defaults.
    jawhara = await client.patch(
        "/api/locations/jawhara", json={"display_type": "static"}, headers=admin
    )
    assert jawhara.json()["sov_pct"] is None and jawhara.json()["upload_fee"] is None
    again = await client.patch(
        "/api/locations/jawhara", json={"display_type": "digital"}, headers=admin
    )
    assert (again.json()["spot_duration_s"], again.json()["upload_fee"]) == (16, "3000")


async def test_edit_deactivate_and_delete(client: httpx.AsyncClient, catalogue: Team) -> None:
    admin, sales = catalogue.admin.headers, catalogue.sales.headers
    changed = await client.patch(
        "/api/locations/dubai_gateway",
        json={"upload_fee": "2500", "aliases": "gateway, dubai frame", "series": None},
        headers=admin,
    )
    assert changed.status_code == 422  # series cannot be null
    changed = await client.patch(
        "/api/locations/dubai_gateway",
        json={"upload_fee": "2500", "aliases": "gateway, dubai frame", "width_m": None},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["upload_fee"] == "2500"
    assert body["aliases"] == ["gateway", "dubai frame"]
    assert body["width_m"] is None and body["height_m"] == "14"

    off = await client.patch(
        "/api/locations/dubai_gateway", json={"is_active": False}, headers=admin
    )
    assert off.json()["is_active"] is False
    listed = await client.get("/api/locations", headers=sales)
    assert "dubai_gateway" not in [loc["key"] for loc in listed.json()["items"]]
    # Only admins can ask for inactive ones.
    asked = await client.get("/api/locations?include_inactive=true", headers=sales)
    assert "dubai_gateway" not in [loc["key"] for loc in asked.json()["items"]]
    everything = await client.get("/api/locations?include_inactive=true", headers=admin)
    assert "dubai_gateway" in [loc["key"] for loc in everything.json()["items"]]
    # Inactive locations are not offered when matching.
    matched = await client.get("/api/locations/match?q=gateway", headers=sales)
    assert matched.json()["outcome"] == "none"

    deleted = await client.delete("/api/locations/dubai_gateway", headers=admin)
    assert deleted.status_code == 204
    assert (await client.get("/api/locations/dubai_gateway", headers=admin)).status_code == 404
    again = await client.delete("/api/locations/dubai_gateway", headers=admin)
    assert again.status_code == 404
    assert again.json()["error"]["message"] == "Location not found."


async def test_key_conflicts_and_invalid_fields(client: httpx.AsyncClient, catalogue: Team) -> None:
    admin = catalogue.admin.headers
    duplicate = await client.post(
        "/api/locations",
        json={
            "key": "UAE21",
            "display_name": "Other",
            "display_type": "static",
            "company": "viola",
        },
        headers=admin,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["message"] == "A location with the key 'uae21' already exists."
    renamed = await client.patch("/api/locations/jawhara", json={"key": "uae21"}, headers=admin)
    assert renamed.status_code == 409
    for bad in (
        {"display_name": "X", "display_type": "led", "company": "viola"},
        {"display_name": "  ", "display_type": "static", "company": "viola"},
        {"display_name": "X", "display_type": "static", "company": "viola", "width_m": "-3"},
        {"display_name": "X", "display_type": "static", "company": "viola", "key": "bad key!"},
        {"display_name": "X", "display_type": "static", "company": "viola", "colour": "red"},
    ):
        response = await client.post("/api/locations", json=bad, headers=admin)
        assert response.status_code == 422, bad
    unknown = await client.post(
        "/api/locations",
        json={"display_name": "X", "display_type": "static", "company": "Acme"},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["message"] == (
        "Unknown company 'Acme'. Companies: Backlite, Viola."
    )
    assert unknown.json()["error"]["details"] == {"allowed": ["backlite", "viola"]}
    # With two companies the company must be named.
    unnamed = await client.post(
        "/api/locations", json={"display_name": "X", "display_type": "static"}, headers=admin
    )
    assert unnamed.status_code == 422
    assert unnamed.json()["error"]["code"] == "company_required"
    assert unnamed.json()["error"]["details"] == {"allowed": ["backlite", "viola"]}


async def test_salespeople_read_but_cannot_manage(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales, viewer = catalogue.sales.headers, catalogue.viewer.headers
    listed = await client.get("/api/locations", headers=viewer)
    assert listed.status_code == 200
    assert [loc["key"] for loc in listed.json()["items"]] == sorted(
        ["dubai_gateway", "the_landmark", "jawhara", "uae21", "city_walk_screen"]
    )
    new = {"display_name": "X", "display_type": "static", "company": "viola"}
    assert (await client.post("/api/locations", json=new, headers=sales)).status_code == 403
    patch = await client.patch("/api/locations/uae21", json={"series": "S"}, headers=sales)
    assert patch.status_code == 403
    assert (await client.delete("/api/locations/uae21", headers=sales)).status_code == 403
    template = await client.put(
        "/api/locations/uae21/template", json={"file_id": None}, headers=sales
    )
    assert template.status_code == 403
    assert (await client.get("/api/locations/export", headers=sales)).status_code == 403
    assert (await client.get("/api/locations")).status_code == 401


async def test_list_filters_and_cursor(client: httpx.AsyncClient, catalogue: Team) -> None:
    sales = catalogue.sales.headers
    static = await client.get("/api/locations?display_type=static", headers=sales)
    assert [loc["key"] for loc in static.json()["items"]] == ["uae21"]
    viola = await client.get("/api/locations?company=Viola", headers=sales)
    assert [loc["key"] for loc in viola.json()["items"]] == ["city_walk_screen", "uae21"]
    seen: list[str] = []
    cursor = None
    while True:
        url = "/api/locations?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=sales)).json()
        seen += [loc["key"] for loc in page["items"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == 5
    bad = await client.get("/api/locations?cursor=not-a-cursor", headers=sales)
    assert bad.status_code == 422


async def test_matching_exact_fuzzy_ambiguous_and_unknown(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales = catalogue.sales.headers

    async def match(q: str) -> dict[str, object]:
        response = await client.get("/api/locations/match", params={"q": q}, headers=sales)
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    exact = await match("  The   GATEWAY ")
    assert exact["outcome"] == "exact"
    assert isinstance(exact["location"], dict) and exact["location"]["key"] == "dubai_gateway"
    fuzzy = await match("jawhra")
    assert fuzzy["outcome"] == "fuzzy"
    assert isinstance(fuzzy["location"], dict) and fuzzy["location"]["key"] == "jawhara"
    none = await match("zzzz qqqq")
    assert none == {
        "query": "zzzz qqqq",
        "outcome": "none",
        "location": None,
        "candidates": [],
        "message": "Unknown location 'zzzz qqqq'.",
    }
    assert (await match(""))["outcome"] == "none"
    suggested = await match("landmrk tower")
    assert suggested["outcome"] == "none"
    assert suggested["message"] == (
        "Unknown location 'landmrk tower'. Did you mean: The Landmark, The Jawhara?"
    )
    assert suggested["candidates"] == [
        {"key": "the_landmark", "display_name": "The Landmark"},
        {"key": "jawhara", "display_name": "The Jawhara"},
    ]


async def test_ambiguous_names_list_the_candidates(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    admin = catalogue.admin.headers
    for name in ("Marina Tower North", "Marina Tower South"):
        created = await client.post(
            "/api/locations",
            json={
                "display_name": name,
                "display_type": "digital",
                "company": "backlite",
                "aliases": ["marina tower"],
            },
            headers=admin,
        )
        assert created.status_code == 201
    response = await client.get("/api/locations/match?q=marina tower", headers=admin)
    body = response.json()
    assert body["outcome"] == "ambiguous"
    assert [c["key"] for c in body["candidates"]] == ["marina_tower_north", "marina_tower_south"]
    assert body["message"] == (
        "'marina tower' could be several locations: Marina Tower North, Marina Tower South. "
        "Which one did you mean?"
    )
