"""The acceptance certificate: a page appended to a copy of the proposal PDF (pure: bytes in,
bytes out; reportlab draws the page, pypdf joins it to the original)."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from salesbot.kit import fonts

# reportlab and pypdf load with the first certificate, not with the app (start-up time).

_REGULAR = "Share-DejaVuSans"
_BOLD = "Share-DejaVuSans-Bold"
_ITALIC = "Share-DejaVuSans-Oblique"
_lock = threading.Lock()
_registered = False


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    global _registered
    with _lock:
        if not _registered:
            pdfmetrics.registerFont(TTFont(_REGULAR, str(fonts.REGULAR)))
            pdfmetrics.registerFont(TTFont(_BOLD, str(fonts.BOLD)))
            pdfmetrics.registerFont(TTFont(_ITALIC, str(fonts.ITALIC)))
            _registered = True


@dataclass(frozen=True)
class Certificate:
    """What the acceptance page states."""

    client_name: str
    signer_name: str
    signer_title: str
    signature: str
    accepted_at: str  # as shown, with its time zone
    ip_prefix: str
    pdf_sha256: str
    choices: Sequence[str]  # one line per location: "The Dubai Gateway: 4 Weeks, AED 2,943,696"
    reference: str  # the link's id


def _wrapped(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase import pdfmetrics

    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def certificate_page(cert: Certificate) -> bytes:
    """One A4 page stating who accepted what, when, from where, and which exact file."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    width, height = A4
    left, y = 56.0, height - 72.0
    page.setTitle("Proposal acceptance")
    page.setFont(_BOLD, 20)
    page.drawString(left, y, "Proposal acceptance")
    y -= 30
    page.setFont(_REGULAR, 11)
    rows = [
        ("Client", cert.client_name),
        ("Accepted by", cert.signer_name),
        ("Title", cert.signer_title),
        ("Accepted at", cert.accepted_at),
        ("From network", cert.ip_prefix or "not known"),
        ("Reference", cert.reference),
    ]
    for label, value in rows:
        page.setFont(_BOLD, 11)
        page.drawString(left, y, f"{label}:")
        page.setFont(_REGULAR, 11)
        page.drawString(left + 110, y, value[:90])
        y -= 18
    y -= 8
    page.setFont(_BOLD, 11)
    page.drawString(left, y, "Accepted option")
    y -= 18
    page.setFont(_REGULAR, 11)
    for choice in cert.choices:
        for line in _wrapped(choice, _REGULAR, 11, width - 2 * left):
            page.drawString(left, y, line)
            y -= 16
    y -= 24
    page.setFont(_BOLD, 11)
    page.drawString(left, y, "Signature")
    y -= 30
    page.setFont(_ITALIC, 24)
    page.drawString(left, y, cert.signature[:60])
    page.line(left, y - 6, width - left, y - 6)
    y -= 40
    page.setFont(_REGULAR, 8)
    note = (
        "This page was added by Sales Proposal Bot when the client accepted the proposal "
        "through their link. The pages before it are the proposal exactly as shown to the "
        f"client; the SHA-256 of that file is {cert.pdf_sha256}."
    )
    for line in _wrapped(note, _REGULAR, 8, width - 2 * left):
        page.drawString(left, y, line)
        y -= 11
    page.showPage()
    page.save()
    return out.getvalue()


def stamp_acceptance(original: bytes, cert: Certificate) -> bytes:
    """A copy of `original` with the acceptance page appended (the original is untouched)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    for page in PdfReader(io.BytesIO(certificate_page(cert))).pages:
        writer.add_page(page)
    writer.add_metadata({"/Subject": f"Accepted by {cert.signer_name}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
