"""Each company's own BO template and stamp (the product's defaults when it has none)."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.booking_orders import directory, repository
from salesbot.booking_orders.calculations import BookingOrder, calculate
from salesbot.booking_orders.directory import Company, CompanyLike
from salesbot.booking_orders.models import CompanyDocuments
from salesbot.booking_orders.views import Env, read_upload
from salesbot.files import service as files
from salesbot.kit.db import utcnow
from salesbot.kit.errors import ValidationFailed
from salesbot.kit.money import ZERO
from salesbot.kit.storage import Storage
from salesbot.kit.tools import FileCard
from salesbot.users import audit

Which = Literal["template", "stamp"]
_IMAGE_KINDS = ("png", "jpeg")


async def _stored_bytes(
    session: AsyncSession, storage: Storage, file_id: uuid.UUID | None
) -> bytes | None:
    record = await files.find_live(session, file_id)
    if record is None:
        return None
    return await files.read_bytes(storage, record)


def _stored_id(docs: CompanyDocuments | None, which: Which) -> uuid.UUID | None:
    if docs is None:
        return None
    return docs.template_file_id if which == "template" else docs.stamp_file_id


async def template_bytes(session: AsyncSession, storage: Storage, company: Company) -> bytes:
    """The company's uploaded template, else the product's default one."""
    docs = await repository.documents(session, company.id)
    stored = await _stored_bytes(session, storage, _stored_id(docs, "template"))
    if stored is not None:
        return stored
    # The document modules bring openpyxl, reportlab and pypdf: loaded on first use.
    from salesbot.booking_orders.documents.templates import default_template

    return default_template(company.name)


async def stamp_bytes(session: AsyncSession, storage: Storage, company: Company) -> bytes:
    docs = await repository.documents(session, company.id)
    stored = await _stored_bytes(session, storage, _stored_id(docs, "stamp"))
    if stored is not None:
        return stored
    from salesbot.booking_orders.documents.templates import default_stamp

    return default_stamp(company.name)


async def _card(session: AsyncSession, file_id: uuid.UUID | None) -> FileCard | None:
    record = await files.find_live(session, file_id)
    return files.file_card(record) if record is not None else None


async def company_documents(
    session: AsyncSession, principal: Principal, code: str
) -> tuple[Company, FileCard | None, FileCard | None]:
    """The company and its own template and stamp (None: the product's default is used)."""
    company = directory.resolve_company(await directory.companies(session), code)
    docs = await repository.documents(session, company.id)
    if docs is None:
        return company, None, None
    return (
        company,
        await _card(session, docs.template_file_id),
        await _card(session, docs.stamp_file_id),
    )


def _check_template(data: bytes) -> None:
    from salesbot.booking_orders.documents.excel import TemplateError, fill_template

    try:
        # A blank order has no net, so its VAT is nil whatever the rate: the fill checks only
        # that the template takes the fields.
        fill_template(data, BookingOrder(), calculate(BookingOrder(), ZERO))
    except TemplateError as exc:
        raise ValidationFailed(str(exc), code="invalid_template") from exc


def _check_stamp(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            "The stamp must be a PNG or JPEG image.", code="invalid_stamp"
        ) from exc


def _check_kind(which: Which, kind: str) -> None:
    if which == "template":
        if kind != "xlsx":
            from salesbot.booking_orders.documents.templates import SHEET_NAME

            raise ValidationFailed(
                f"The template must be an Excel workbook (.xlsx) with a '{SHEET_NAME}' sheet.",
                code="invalid_template",
            )
    elif kind not in _IMAGE_KINDS:
        raise ValidationFailed("The stamp must be a PNG or JPEG image.", code="invalid_stamp")


async def set_company_document(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    code: str,
    which: Which,
    file_id: uuid.UUID,
) -> tuple[Company, FileCard | None, FileCard | None]:
    """Use an uploaded file as the company's BO template (XLSX with a 'BO Form' sheet) or stamp."""
    company = directory.resolve_company(await directory.companies(session), code)
    record = await files.get_for(session, principal, file_id)
    _check_kind(which, record.kind)
    data = await read_upload(files.read_bytes(env.storage, record))
    await asyncio.to_thread(_check_template if which == "template" else _check_stamp, data)
    await _save_document(session, company, which, record.id, principal.user_id)
    await files.share_with_company(session, record.id, company.id)
    audit.record(
        session,
        principal,
        f"company_{which}_set",
        audit.Target("company", company.id),
        {"file": str(record.id)},
    )
    await session.commit()
    return await company_documents(session, principal, company.code)


async def _save_document(
    session: AsyncSession,
    company: CompanyLike,
    which: Which,
    file_id: uuid.UUID,
    by: uuid.UUID | None,
) -> None:
    docs = await repository.documents(session, company.id)
    if docs is None:
        docs = CompanyDocuments(company_id=company.id)
        session.add(docs)
    if which == "template":
        docs.template_file_id = file_id
    else:
        docs.stamp_file_id = file_id
    docs.updated_by_id = by
    docs.updated_at = utcnow()
    await session.flush()


def _defaults() -> tuple[tuple[Which, str, Callable[[str], bytes], str], ...]:
    from salesbot.booking_orders.documents.forms import XLSX_TYPE
    from salesbot.booking_orders.documents.templates import default_stamp, default_template

    return (
        ("template", "BO template.xlsx", default_template, XLSX_TYPE),
        ("stamp", "stamp.png", default_stamp, "image/png"),
    )


async def install_default_documents(
    session: AsyncSession, storage: Storage, company: CompanyLike, owner_id: uuid.UUID
) -> None:
    """Store the product-made template and stamp as the company's files (demo data; idempotent)."""
    for which, name, make, content_type in _defaults():
        if _stored_id(await repository.documents(session, company.id), which) is not None:
            continue
        record = await files.store_generated(
            session,
            storage,
            owner_id=owner_id,
            name=f"{company.name} {name}",
            data=make(company.name),
            content_type=content_type,
            company_id=company.id,
        )
        await _save_document(session, company, which, record.id, owner_id)
