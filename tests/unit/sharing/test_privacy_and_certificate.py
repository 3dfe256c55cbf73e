"""What a client's visit leaves behind (truncated IP, device kind) and the acceptance page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from salesbot.sharing.acceptance import Certificate, stamp_acceptance
from salesbot.sharing.pages import page_count, page_jpeg
from salesbot.sharing.privacy import device_of, truncate_ip


@pytest.mark.parametrize(
    ("ip", "kept"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"),
        ("unknown", ""),
        (None, ""),
    ],
)
def test_ips_are_kept_only_as_their_network(ip: str | None, kept: str) -> None:
    assert truncate_ip(ip) == kept


def test_only_the_kind_of_device_is_kept() -> None:
    assert device_of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148") == "phone"
    assert device_of("Mozilla/5.0 (iPad; CPU OS 17_0)") == "tablet"
    assert device_of("Mozilla/5.0 (X11; Linux x86_64) Chrome/130") == "computer"
    assert device_of(None) == "computer"


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=(960, 540))
    for n in range(pages):
        drawing.drawString(100, 270, f"Slide {n + 1}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def test_the_acceptance_page_is_appended_to_a_copy() -> None:
    original = _pdf(3)
    cert = Certificate(
        client_name="Nike",
        signer_name="Nora Buyer",
        signer_title="Media Director",
        signature="Nora Buyer",
        accepted_at="06 Dec 2026 22:00 +04",
        ip_prefix="203.0.113.0/24",
        pdf_sha256="ab" * 32,
        choices=["The Landmark: 4 Weeks, total AED 2,943,696"],
        reference="link-1",
    )
    stamped = stamp_acceptance(original, cert)
    reader = PdfReader(io.BytesIO(stamped))
    assert len(reader.pages) == 4
    assert [reader.pages[i].extract_text().strip() for i in range(3)] == [
        "Slide 1",
        "Slide 2",
        "Slide 3",
    ]
    last = reader.pages[3].extract_text()
    for text in ("Nora Buyer", "Media Director", "203.0.113.0/24", "AED 2,943,696", "ab" * 32):
        assert text in last.replace("\n", " ").replace("  ", " ") or text in last.replace("\n", "")
    assert len(PdfReader(io.BytesIO(original)).pages) == 3  # the original is untouched


def test_pages_are_drawn_as_images_of_the_requested_width() -> None:
    pdf = _pdf(2)
    assert page_count(pdf) == 2
    jpeg = page_jpeg(pdf, 2, width_px=640)
    from PIL import Image

    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG" and image.width == 640 and image.height == 360
    with pytest.raises(IndexError):
        page_jpeg(pdf, 3)
