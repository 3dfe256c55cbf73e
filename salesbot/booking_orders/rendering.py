"""A booking order's forms: the preview as it stands, and the documents produced on approval."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from typing import TYPE_CHECKING, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.booking_orders import company_documents, directory, events
from salesbot.booking_orders.calculations import BookingOrderError, calculate
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.reading.extract import document_text
from salesbot.booking_orders.stored import decode
from salesbot.booking_orders.views import Env, load, tz
from salesbot.booking_orders.workflow import SIGNED_STATES
from salesbot.commercial import service as commercial
from salesbot.files import service as files
from salesbot.files.service import FileTooLargeToProcess, GeneratedFileInvalid
from salesbot.kit import locks
from salesbot.kit.db import engine_of, utcnow
from salesbot.kit.errors import NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import StorageError
from salesbot.kit.tracing import traced

if TYPE_CHECKING:
    from salesbot.booking_orders.documents import forms

log = get_logger(__name__)

RenderOutcome = Literal["done", "failed", "retry", "skipped"]
# How long one render may hold its booking order's lock (the render job's own time limit).
RENDER_TTL_S = 300.0


def _render_failures() -> tuple[type[Exception], ...]:
    """Failures a later attempt will not fix, then storage outages (retried by the render job)."""
    # The document modules (openpyxl, reportlab, pypdf, pypdfium2) load on first use.
    from salesbot.booking_orders.documents import forms
    from salesbot.booking_orders.documents.excel import TemplateError
    from salesbot.booking_orders.documents.pdf import PdfError
    from salesbot.booking_orders.documents.stamp import StampError

    return (
        BookingOrderError,
        TemplateError,
        StampError,
        PdfError,
        forms.DocumentError,
        FileTooLargeToProcess,
        GeneratedFileInvalid,
        NotFound,
        StorageError,
    )


def safe_name(text: str) -> str:
    return re.sub(r"[^\w .()&-]+", "", text).strip()[:80] or "Booking order"


@traced("render booking order preview")
async def preview(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    bo_id: uuid.UUID,
    kind: Literal["pdf", "xlsx"],
) -> tuple[bytes, str, str]:
    """The form as it stands now (re-rendered on every request): bytes, content type, name."""
    from salesbot.booking_orders.documents import forms
    from salesbot.booking_orders.documents.excel import TemplateError

    row, companies = await load(session, principal, bo_id)
    company = companies[row.company_id]
    bo = decode(row.data)
    try:
        calc = calculate(bo, commercial.vat_pct(env.settings))
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc
    name = safe_name(row.reference or row.bo_number or row.client or "Booking order")
    if kind == "xlsx":
        template = await company_documents.template_bytes(session, env.storage, company)
        try:
            data = await asyncio.to_thread(
                forms.render_excel, template, bo, calc, hos_name=row.hos_name
            )
        except TemplateError as exc:
            raise ValidationFailed(str(exc), code="invalid_template") from exc
        return data, forms.XLSX_TYPE, f"{name}.xlsx"
    data = await asyncio.to_thread(
        forms.render_preview_pdf, bo, calc, reference=row.reference, hos_name=row.hos_name
    )
    return data, forms.PDF_TYPE, f"{name}.pdf"


async def _original(
    session: AsyncSession, env: Env, row: BookingOrderRow
) -> tuple[bytes, Literal["pdf", "image"]]:
    """The uploaded document, ready to be stamped (as PDF or image) and its kind."""
    from salesbot.booking_orders.documents import forms

    source = await files.find_live(session, row.source_file_id)
    if source is None:
        raise forms.DocumentError("The original document is no longer available")
    original = await files.read_bytes(env.storage, source)
    text = ""
    if source.kind not in ("pdf", "xlsx", "csv", *forms.IMAGE_KINDS):
        text = await asyncio.to_thread(document_text, original, source.kind)
    return await asyncio.to_thread(
        forms.original_for_stamping,
        original,
        source.kind,
        title=f"{row.reference} original document",
        text=text,
    )


@traced("render booking order documents")
async def _produce(
    session: AsyncSession, env: Env, row: BookingOrderRow, company: Company
) -> forms.FinalDocuments:
    from salesbot.booking_orders.documents import forms

    approved_on = (row.approved_at or utcnow()).astimezone(tz(env.settings)).date()
    bo = decode(row.data)
    calc = calculate(bo, commercial.vat_pct(env.settings))
    template = await company_documents.template_bytes(session, env.storage, company)
    stamp = await company_documents.stamp_bytes(session, env.storage, company)
    prepared, prepared_kind = await _original(session, env, row)
    hos_name, reference = row.hos_name or "", row.reference or ""
    return await asyncio.to_thread(
        lambda: forms.render_final(
            bo=bo,
            calc=calc,
            template=template,
            stamp_png=stamp,
            original=prepared,
            original_kind=prepared_kind,
            hos_name=hos_name,
            reference=reference,
            approved_on=approved_on,
        )
    )


def _file_names(row: BookingOrderRow) -> tuple[str, str, str]:
    """The signed Excel, the stamped original and the final PDF."""
    base = f"{row.reference} {row.client}"
    if row.revision > 1:
        base = f"{row.reference} rev {row.revision} {row.client}"
    base = safe_name(base)
    return f"{base}.xlsx", f"{base} original stamped.pdf", f"{base}.pdf"


async def render_approved(session: AsyncSession, env: Env, bo_id: uuid.UUID) -> RenderOutcome:
    """Produce and store the signed Excel, stamped original and final PDF of an approved BO.

    A failure is recorded on the booking order (`render_error`) instead of undoing the approval;
    the documents can be produced again later (`retry` means a storage outage: try again soon).
    One render per booking order at a time across every instance: a caller that finds another
    rendering waits for it and takes its documents instead of rendering them again.
    """
    row = await session.get(BookingOrderRow, bo_id, populate_existing=True)
    if row is None or row.state not in SIGNED_STATES or row.reference is None:
        return "skipped"
    before = _documents(row)
    try:
        async with (
            locks.deployment_lock(env.settings.redis_dsn, engine_of(session)) as lock,
            locks.exclusive(lock, f"bo-render:{bo_id}", ttl_s=RENDER_TTL_S, wait_s=RENDER_TTL_S),
        ):
            # Re-read: another instance may have produced the documents while this one waited.
            row = await session.get(BookingOrderRow, bo_id, populate_existing=True)
            if row is None or row.state not in SIGNED_STATES or row.reference is None:
                return "skipped"
            if _documents(row) != before and row.render_error is None:
                log.info("bo_documents_reused", booking_order=str(bo_id))
                return "done"
            return await _render_now(session, env, row)
    except locks.LockBusy:
        log.warning("bo_render_busy", booking_order=str(bo_id))
        return "retry"


def _documents(row: BookingOrderRow) -> tuple[uuid.UUID | None, ...]:
    return (row.excel_file_id, row.stamped_file_id, row.final_pdf_file_id)


async def _render_now(session: AsyncSession, env: Env, row: BookingOrderRow) -> RenderOutcome:
    """Render and store the documents of `row` (the caller holds the render lock)."""
    from salesbot.booking_orders.documents import forms

    bo_id = row.id
    company = await directory.company(session, row.company_id)
    owner = row.owner_id or await events.approver(session, row.id)
    if company is None or owner is None:
        return "skipped"
    stored_ids: list[uuid.UUID] = []
    stored_keys: list[str] = []
    try:
        produced = await _produce(session, env, row, company)
        for name, data, content_type in zip(
            _file_names(row),
            (produced.excel, produced.stamped_original, produced.final_pdf),
            (forms.XLSX_TYPE, forms.PDF_TYPE, forms.PDF_TYPE),
            strict=True,
        ):
            record = await files.store_generated(
                session,
                env.storage,
                owner_id=owner,
                name=name,
                data=data,
                content_type=content_type,
                company_id=row.company_id,
            )
            stored_ids.append(record.id)
            stored_keys.append(record.storage_key)
    except _render_failures() as exc:
        return await _failed(session, env, bo_id, exc, stored_keys)
    row.excel_file_id, row.stamped_file_id, row.final_pdf_file_id = stored_ids
    row.render_error = None
    await session.commit()
    return "done"


async def _failed(
    session: AsyncSession, env: Env, bo_id: uuid.UUID, exc: Exception, stored_keys: list[str]
) -> RenderOutcome:
    """Record why on the booking order; a storage outage is worth another try."""
    await session.rollback()
    for key in stored_keys:  # their rows were rolled back; do not leave the objects behind
        with contextlib.suppress(StorageError):
            await env.storage.delete(key)
    row = await session.get_one(BookingOrderRow, bo_id, populate_existing=True)
    transient = isinstance(exc, StorageError)
    message = exc.message if isinstance(exc, NotFound) else str(exc)
    row.render_error = (message or "The documents could not be produced")[:300]
    await session.commit()
    log.warning("bo_documents_failed", booking_order=str(bo_id), error_type=type(exc).__name__)
    return "retry" if transient else "failed"


class DocumentsNotReproduced(Exception):
    """An approved booking order's documents could not be rendered again (the reason says why)."""


async def reproduce_documents(
    session: AsyncSession, env: Env, row: BookingOrderRow
) -> tuple[list[str], list[str]]:
    """Render the stored Excel and final PDF of an approved BO again from the row as it is now.

    For names that changed on the row (an erased person's pseudonym): the files keep their ids,
    their bytes move to new keys. Returns (new keys, old keys); the caller commits, then
    deletes the old objects (or, when it rolls back, the new ones). Raises
    DocumentsNotReproduced and leaves nothing new behind when a document cannot be produced.
    """
    from salesbot.files.rewrite import replace_generated

    if row.state not in SIGNED_STATES or not (row.excel_file_id or row.final_pdf_file_id):
        return [], []
    new_keys: list[str] = []
    old_keys: list[str] = []
    try:
        company = await directory.company(session, row.company_id)
        if company is None:
            raise NotFound("The booking order's company no longer exists")
        produced = await _produce(session, env, row, company)
        # The stamped original carries no names: only the filled form and the final PDF change.
        for file_id, data in (
            (row.excel_file_id, produced.excel),
            (row.final_pdf_file_id, produced.final_pdf),
        ):
            record = await files.find_live(session, file_id)
            if record is not None:
                new, old = await replace_generated(session, env.storage, record, data)
                new_keys.append(new)
                old_keys.append(old)
    except _render_failures() as exc:
        for key in new_keys:
            with contextlib.suppress(StorageError):
                await env.storage.delete(key)
        reason = exc.message if isinstance(exc, NotFound) else str(exc)
        raise DocumentsNotReproduced(reason or "The documents could not be produced") from exc
    return new_keys, old_keys
