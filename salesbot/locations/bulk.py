"""Importing and exporting the whole catalogue (file formats: `catalogue`; rules: here).

An import is all or nothing: every row is checked first, and if any row has a problem nothing
is written and the error's details list each failing row. Locations absent from the file stay.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from anyio import to_thread
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.errors import Conflict, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage
from salesbot.locations import catalogue, repository
from salesbot.locations.matching import quote_name
from salesbot.locations.models import Location
from salesbot.locations.schemas import ImportedRow, ImportReport, LocationCreate
from salesbot.locations.service import apply_values, slug
from salesbot.users import audit
from salesbot.users import service as users

log = get_logger(__name__)
Companies = dict[str, users.CompanyInfo]  # by lower-case code and by lower-case name


@dataclass(frozen=True)
class _Row:
    number: int
    key: str
    data: LocationCreate
    company: users.CompanyInfo


@dataclass
class _Checked:
    rows: list[_Row] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # key -> row number


def _row_errors(exc: ValidationError) -> list[str]:
    out: list[str] = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int)) or "row"
        out.append(f"{name}: {err.get('msg', 'invalid')}")
    return out[:10]


async def _read_rows(
    session: AsyncSession, storage: Storage, file_id: uuid.UUID, actor: Principal
) -> list[catalogue.Row]:
    record = await files.get_for(session, actor, file_id)
    if record.kind not in ("csv", "xlsx"):
        raise ValidationFailed(
            "Import a .csv or .xlsx file with one location per row.", code="import_file_type"
        )
    try:
        data = await files.read_bytes(storage, record)
    except files.FileTooLargeToProcess as exc:
        raise ValidationFailed(str(exc), code="import_file_too_large") from None
    kind: catalogue.FileKind = "csv" if record.kind == "csv" else "xlsx"
    try:
        rows = await to_thread.run_sync(catalogue.read_rows, data, kind)
    except catalogue.CatalogueFileError as exc:
        raise ValidationFailed(str(exc), code="import_file_invalid") from None
    if not rows:
        raise ValidationFailed("The file has no location rows.", code="import_file_invalid")
    return rows


def _row_company(
    ref: str | None, companies: Companies, errors: list[str]
) -> users.CompanyInfo | None:
    """The row's company; without one, the only company there is (else an error)."""
    if ref is None:
        only = {c.id: c for c in companies.values()}
        if len(only) == 1:
            return next(iter(only.values()))
        errors.append("company: required (code or name)")
        return None
    company = companies.get(" ".join(ref.split()).lower())
    if company is None:
        errors.append(f"company: unknown company '{quote_name(ref, 40)}'")
    return company


def _check_row(row: catalogue.Row, companies: Companies, checked: _Checked) -> None:
    errors: list[str] = []
    key = ""
    try:
        data_row: LocationCreate | None = LocationCreate.model_validate(row.values)
    except ValidationError as exc:
        errors += _row_errors(exc)
        data_row = None
    if data_row is not None:
        key = data_row.key or slug(data_row.display_name)
        if not key:
            errors.append("key: cannot be made from the name; give a key")
        elif key in checked.seen:
            errors.append(f"key: '{key}' is also on row {checked.seen[key]}")
        else:
            checked.seen[key] = row.number
    company = _row_company(row.values.get("company"), companies, errors)
    if errors or data_row is None or company is None:
        shown_key = key or quote_name(row.values.get("key", ""), 80)
        checked.problems.append({"row": row.number, "key": shown_key, "errors": errors})
        return
    checked.rows.append(_Row(row.number, key, data_row, company))


async def _checked_rows(session: AsyncSession, rows: list[catalogue.Row]) -> list[_Row]:
    """Every row validated, or ValidationFailed listing each failing row's problems."""
    companies = {c.code.lower(): c for c in await users.list_companies(session)}
    companies |= {c.name.lower(): c for c in companies.values()}
    checked = _Checked()
    for row in rows:
        _check_row(row, companies, checked)
    if checked.problems:
        count = len(checked.problems)
        noun = "row has" if count == 1 else "rows have"
        raise ValidationFailed(
            f"{count} {noun} problems; nothing was imported. Fix them and import again.",
            code="import_failed",
            details={"rows": checked.problems[:200]},
        )
    return checked.rows


async def _write_rows(
    session: AsyncSession, rows: list[_Row], default_upload_fee: Decimal
) -> list[ImportedRow]:
    existing = await repository.keys_in_use(session, (row.key for row in rows))
    report: list[ImportedRow] = []
    for row in rows:
        location = existing.get(row.key)
        action: Any = "updated" if location is not None else "created"
        if location is None:
            location = Location(key=row.key, company_id=row.company.id)
            repository.add(session, location)
        location.company_id = row.company.id
        # A row describes the whole location: columns left blank take their defaults.
        apply_values(location, row.data.model_dump(exclude={"key"}), default_upload_fee)
        report.append(ImportedRow(row=row.number, key=row.key, action=action))
    return report


async def import_catalogue(
    session: AsyncSession,
    storage: Storage,
    file_id: uuid.UUID,
    *,
    actor: Principal,
    default_upload_fee: Decimal,
    dry_run: bool = False,
) -> ImportReport:
    """Create or update locations from a CSV/XLSX file, all or nothing (see the module)."""
    rows = await _checked_rows(session, await _read_rows(session, storage, file_id, actor))
    report = await _write_rows(session, rows, default_upload_fee)
    created = sum(1 for r in report if r.action == "created")
    result = ImportReport(
        created=created, updated=len(report) - created, dry_run=dry_run, rows=report
    )
    if dry_run:
        await session.rollback()
        return result
    audit.record(
        session,
        actor,
        "location.import",
        audit.Target("file", file_id),
        {"created": result.created, "updated": result.updated},
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "The catalogue changed while importing; please import again.", code="import_conflict"
        ) from None
    log.info("locations_imported", created=result.created, updated=result.updated)
    return result


def _export_record(location: Location, company: users.CompanyInfo | None) -> dict[str, object]:
    return {
        "key": location.key,
        "display_name": location.display_name,
        "aliases": list(location.aliases or []),
        "company": company.code if company else "",
        "display_type": location.display_type,
        "series": location.series or "",
        "width_m": location.width_m,
        "height_m": location.height_m,
        "number_of_faces": location.number_of_faces,
        "spot_duration_s": location.spot_duration_s,
        "loop_duration_s": location.loop_duration_s,
        "sov_pct": location.sov_pct,
        "upload_fee": location.upload_fee,
        "is_active": location.is_active,
    }


async def export_catalogue(session: AsyncSession, kind: catalogue.FileKind) -> bytes:
    """Every location (active or not) in the import format."""
    locations = await repository.list_locations(session)
    companies = await users.companies_by_id(session, (loc.company_id for loc in locations))
    records = [_export_record(loc, companies.get(loc.company_id)) for loc in locations]
    writer = catalogue.write_csv if kind == "csv" else catalogue.write_xlsx
    return await to_thread.run_sync(writer, records)
