"""Demo data for `make run`: two companies, one user per role, realistic locations. Idempotent."""

from __future__ import annotations

from typing import Any

from salesbot.booking_orders import company_documents as booking_orders
from salesbot.files.service import storage_from_settings
from salesbot.kit.db import Database, make_engine
from salesbot.kit.storage import Storage
from salesbot.locations import service as locations
from salesbot.mockups import demo as mockups
from salesbot.settings import Settings
from salesbot.users import service as users
from salesbot.users.roles import Role

COMPANIES = [
    {"code": "backlite", "name": "Backlite", "bo_prefix": "BL", "accent_color": "#2b59c3"},
    {"code": "viola", "name": "Viola", "bo_prefix": "VL", "accent_color": "#7b3fa0"},
]

LOCATIONS: list[dict[str, Any]] = [
    {
        "company": "backlite",
        "key": "dubai_gateway",
        "display_name": "The Dubai Gateway",
        "aliases": ["gateway", "dpd gateway"],
        "display_type": "digital",
        "series": "The Landmark Series",
        "width_m": "7",
        "height_m": "14",
        "number_of_faces": 4,
        "spot_duration_s": 12,
        "loop_duration_s": 96,
        "sov_pct": "12.5",
        "upload_fee": "2000",
    },
    {
        "company": "backlite",
        "key": "the_landmark",
        "display_name": "The Landmark",
        "aliases": ["landmark"],
        "display_type": "digital",
        "series": "The Landmark Series",
        "width_m": "20",
        "height_m": "10",
        "number_of_faces": 1,
        "spot_duration_s": 16,
        "loop_duration_s": 96,
        "sov_pct": "16.6",
        "upload_fee": "3000",
    },
    {
        "company": "backlite",
        "key": "jawhara",
        "display_name": "The Jawhara",
        "aliases": ["jawhara tower"],
        "display_type": "digital",
        "series": "The Portrait Gallery",
        "width_m": "8",
        "height_m": "16",
        "number_of_faces": 2,
        "spot_duration_s": 16,
        "loop_duration_s": 96,
        "sov_pct": "16.6",
        "upload_fee": "3000",
    },
    {
        "company": "backlite",
        "key": "szr_unipole",
        "display_name": "Sheikh Zayed Road Unipole",
        "aliases": ["szr unipole", "unipole"],
        "display_type": "static",
        "series": "The Unipole Collection",
        "width_m": "12",
        "height_m": "4",
        "number_of_faces": 2,
    },
    {
        "company": "viola",
        "key": "city_walk_screen",
        "display_name": "City Walk Digital Screen",
        "aliases": ["city walk"],
        "display_type": "digital",
        "series": "The City Series",
        "width_m": "6",
        "height_m": "3",
        "number_of_faces": 1,
        "spot_duration_s": 10,
        "loop_duration_s": 60,
        "sov_pct": "16.6",
        "upload_fee": "3000",
    },
    {
        "company": "viola",
        "key": "uae21",
        "display_name": "UAE21",
        "aliases": ["uae 21"],
        "display_type": "static",
        "series": "The Highway Series",
        "width_m": "12",
        "height_m": "4",
        "number_of_faces": 2,
    },
    {
        "company": "viola",
        "key": "uae02",
        "display_name": "UAE02",
        "aliases": ["uae 02"],
        "display_type": "static",
        "series": "The Highway Series",
        "width_m": "12",
        "height_m": "4",
        "number_of_faces": 1,
    },
    {
        "company": "viola",
        "key": "uae03",
        "display_name": "UAE03",
        "aliases": ["uae 03"],
        "display_type": "static",
        "series": "The Highway Series",
        "width_m": "12",
        "height_m": "4",
        "number_of_faces": 1,
    },
]


def demo_accounts() -> list[tuple[str, str, list[tuple[Role, str | None]]]]:
    """(email, name, [(role, company code)]) for every demo login."""
    accounts: list[tuple[str, str, list[tuple[Role, str | None]]]] = [
        ("admin@demo.salesbot.dev", "Amira Admin", [(Role.admin, None)]),
        ("sales@demo.salesbot.dev", "Sami Sales", [(Role.sales_person, None)]),
        ("viewer@demo.salesbot.dev", "Vera Viewer", [(Role.viewer, None)]),
    ]
    for company in COMPANIES:
        code, name = company["code"], company["name"]
        accounts += [
            (
                f"coordinator.{code}@demo.salesbot.dev",
                f"Cora {name} Coordinator",
                [(Role.coordinator, code)],
            ),
            (f"hos.{code}@demo.salesbot.dev", f"Hana {name} Head of Sales", [(Role.hos, code)]),
            (f"finance.{code}@demo.salesbot.dev", f"Faris {name} Finance", [(Role.finance, code)]),
        ]
    return accounts


async def seed(
    db: Database, password: str, storage: Storage | None = None
) -> list[tuple[str, str]]:
    async with db.sessions() as session:
        companies = {c["code"]: await users.ensure_company(session, **c) for c in COMPANIES}
        logins: list[tuple[str, str]] = []
        admin_id = None
        for email, name, roles in demo_accounts():
            user = await users.ensure_user(
                session,
                email=email,
                name=name,
                password=password,
                roles=[(role, companies[code] if code else None) for role, code in roles],
            )
            admin_id = admin_id or (user.id if roles[0][0] is Role.admin else None)
            logins.append(
                (email, ", ".join(f"{r.value}" + (f"@{c}" if c else "") for r, c in roles))
            )
        for spec in LOCATIONS:
            fields = dict(spec)
            company = companies[fields.pop("company")]
            await locations.upsert_location(session, company_id=company.id, **fields)
        await session.commit()
        if storage is not None and admin_id is not None:
            await mockups.ensure_demo_photos(session, storage, owner_id=admin_id)
            for company in companies.values():
                await booking_orders.install_default_documents(session, storage, company, admin_id)
            await session.commit()
    return logins


async def load_demo(settings: Settings) -> list[tuple[str, str]]:
    db = Database(make_engine(settings.effective_database_url, pooler=settings.database_pooler))
    try:
        return await seed(
            db, settings.demo_password.get_secret_value(), storage_from_settings(settings)
        )
    finally:
        await db.dispose()
