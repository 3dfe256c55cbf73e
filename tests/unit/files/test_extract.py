import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesbot.files.extract import TRUNCATED_MARKER, ExtractionError, extract_text

from .samples import W_NS, docx_bytes, image_bytes, pdf_bytes, pptx_bytes, xlsx_bytes


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_pages(tmp_path: Path):
    path = write(tmp_path, "a.pdf", pdf_bytes(["Rate card 2025", "Dubaï Mall — 1,000 AED"]))
    text = extract_text(path, "pdf")
    assert "Rate card 2025" in text
    assert "Dubaï Mall — 1,000 AED" in text
    assert text.index("Rate card") < text.index("Dubaï")


def test_docx_paragraphs_tabs_and_breaks(tmp_path: Path):
    document = (
        f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>Site</w:t><w:tab/><w:t>Rate</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Dubai </w:t></w:r><w:r><w:t>Mall</w:t><w:br/><w:t>Level 1</w:t></w:r></w:p>"
        "<w:p><w:r><w:instrText>not text</w:instrText></w:r></w:p>"
        "</w:body></w:document>"
    )
    path = write(tmp_path, "a.docx", docx_bytes([], document_xml=document))
    assert extract_text(path, "docx") == "Site\tRate\nDubai Mall\nLevel 1"


def test_docx_with_a_dtd_is_refused(tmp_path: Path):
    document = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    path = write(tmp_path, "a.docx", docx_bytes([], document_xml=document))
    with pytest.raises(ExtractionError, match="DTD"):
        extract_text(path, "docx")


def test_xlsx_sheet_by_sheet_as_tab_separated_rows(tmp_path: Path):
    data = xlsx_bytes(
        {
            "Sites": [["Name", "Rate", None], ["Dubai Mall", 1000, None], [None, None, None]],
            "Dates": [["Start", dt.date(2025, 3, 1)], ["Share", 0.25]],
        }
    )
    path = write(tmp_path, "a.xlsx", data)
    assert extract_text(path, "xlsx") == (
        "## Sites\nName\tRate\nDubai Mall\t1000\n\n"
        "## Dates\nStart\t2025-03-01T00:00:00\nShare\t0.25"
    )


def test_pptx_text_frames_per_slide(tmp_path: Path):
    path = write(tmp_path, "a.pptx", pptx_bytes([["Proposal", "For ACME"], ["Thank you"]]))
    assert extract_text(path, "pptx") == ("## Slide 1\nProposal\nFor ACME\n\n## Slide 2\nThank you")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name,city\r\nDubai Mall,Dubai\r\n", "name,city\nDubai Mall,Dubai"),
        (b"\xef\xbb\xbfname\nJos\xc3\xa9\n", "name\nJosé"),
        ("name\nJosé\n".encode("latin-1"), "name\nJosé"),
    ],
)
def test_csv(tmp_path: Path, data, expected):
    assert extract_text(write(tmp_path, "a.csv", data), "csv") == expected


def test_txt(tmp_path: Path):
    path = write(tmp_path, "a.txt", "Client brief — Q3\n".encode())
    assert extract_text(path, "txt") == "Client brief — Q3"


def test_txt_must_be_utf8(tmp_path: Path):
    path = write(tmp_path, "a.txt", "Café".encode("latin-1"))
    with pytest.raises(ExtractionError):
        extract_text(path, "txt")


@pytest.mark.parametrize(
    ("name", "kind", "build"),
    [
        ("a.pdf", "pdf", lambda: pdf_bytes([f"Line {i} " + "x" * 60 for i in range(60)])),
        ("a.docx", "docx", lambda: docx_bytes([f"Paragraph {i} " + "y" * 50 for i in range(500)])),
        ("a.xlsx", "xlsx", lambda: xlsx_bytes({"S": [[f"row {i}", "z" * 40] for i in range(900)]})),
        (
            "a.pptx",
            "pptx",
            lambda: pptx_bytes([[f"Slide text {i} " + "w" * 80] for i in range(60)]),
        ),
        ("a.csv", "csv", lambda: b"a,b\n" * 20_000),
        ("a.txt", "txt", lambda: b"words " * 10_000),
    ],
)
def test_long_content_is_truncated_with_a_marker(tmp_path: Path, name, kind, build):
    path = write(tmp_path, name, build())
    text = extract_text(path, kind, limit=1_000)
    assert text.endswith("\n" + TRUNCATED_MARKER)
    assert len(text) <= 1_000 + len("\n" + TRUNCATED_MARKER)
    assert len(text) > 900
    assert len(extract_text(path, kind)) <= 20_000 + len("\n" + TRUNCATED_MARKER)


def test_content_exactly_at_the_limit_is_not_marked(tmp_path: Path):
    path = write(tmp_path, "a.txt", b"x" * 100 + b"\n")
    assert extract_text(path, "txt", limit=100) == "x" * 100


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(st.characters(exclude_categories=["Cs"]), max_size=400), limit=st.integers(1, 300)
)
def test_any_text_is_bounded_and_faithful(tmp_path_factory, text, limit):
    path = tmp_path_factory.mktemp("t") / "a.txt"
    path.write_text(text, encoding="utf-8", newline="")
    original = path.read_text(encoding="utf-8-sig")  # as read back, newlines normalised
    result = extract_text(path, "txt", limit=limit)
    content, rest = original[:limit], original[limit:]
    marker = f"\n{TRUNCATED_MARKER}" if rest.strip() else ""
    assert result == content.rstrip() + marker


@pytest.mark.parametrize("kind", ["jpeg", "png", "xls", "exe"])
def test_kinds_without_text_are_refused(tmp_path: Path, kind):
    path = write(tmp_path, "a.bin", image_bytes("PNG"))
    with pytest.raises(ExtractionError, match="cannot be read from this kind"):
        extract_text(path, kind)


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "pptx"])
def test_damaged_files_give_a_clear_error(tmp_path: Path, kind):
    path = write(tmp_path, "a.bin", b"this is not a document at all" * 10)
    with pytest.raises(ExtractionError, match="could not be read"):
        extract_text(path, kind)


def test_limit_must_be_positive(tmp_path: Path):
    with pytest.raises(ValueError, match="positive"):
        extract_text(write(tmp_path, "a.txt", b"x"), "txt", limit=0)
