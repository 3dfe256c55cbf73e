import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesbot.files.validation import (
    FileRejected,
    extension_of,
    format_size,
    kind_for_filename,
    sanitise_filename,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Rate card 2025.pdf", "Rate card 2025.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sam\\Desktop\\brief.docx", "brief.docx"),
        ("/var/www/../../x.txt", "x.txt"),
        ("a\x00b.txt", "ab.txt"),
        ("line\r\nbreak.csv", "line break.csv"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("a..b...pdf", "a.b.pdf"),
        ('what:is<this>?"|*.png', "what_is_this_____.png"),
        ("  lots   of\tspace .pdf ", "lots of space .pdf"),
        (".hidden.txt", "hidden.txt"),
        ("trailing.pdf...", "trailing.pdf"),
        ("Cafe\u0301.pdf", "Caf\u00e9.pdf"),
        ("Dubaï مول.xlsx", "Dubaï مول.xlsx"),
        ("..", "file"),
        ("../", "file"),
        ("", "file"),
        ("\x00\x01\x02", "file"),
    ],
)
def test_sanitise_examples(raw, clean):
    assert sanitise_filename(raw) == clean


def test_long_names_keep_their_extension():
    assert sanitise_filename("n" * 300 + ".xlsx") == "n" * 115 + ".xlsx"
    assert sanitise_filename("n" * 300) == "n" * 120
    odd = sanitise_filename("a" * 200 + "." + "b" * 50)
    assert len(odd) == 120
    assert odd == ("a" * 200 + "." + "b" * 50)[:120]


@given(st.text(max_size=400))
def test_sanitised_names_are_always_safe(raw):
    clean = sanitise_filename(raw)
    assert 1 <= len(clean) <= 120
    assert "/" not in clean
    assert "\\" not in clean
    assert ".." not in clean
    assert not clean.startswith((".", " "))
    assert not clean.endswith((".", " "))
    assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") for ch in clean)
    assert sanitise_filename(clean) == clean


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=300))
def test_a_short_extension_always_survives(stem):
    assert extension_of(sanitise_filename(stem + ".pptx")) == "pptx"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.jpg", "jpeg"), ("a.JPEG", "jpeg"), ("a.b.Xlsx", "xlsx"), ("x.TXT", "txt")],
)
def test_kind_for_filename(name, kind):
    assert kind_for_filename(name).name == kind


@pytest.mark.parametrize("name", ["a.exe", "a.svg", "a.html", "a.docm", "a.xlsm", "pdf", "a."])
def test_kind_for_filename_refuses(name):
    with pytest.raises(FileRejected) as info:
        kind_for_filename(name)
    assert info.value.code == "file_type_not_allowed"


@pytest.mark.parametrize(
    ("n_bytes", "round_up", "text"),
    [
        (250 * 1024 * 1024, True, "250 MB"),
        (200 * 1024 * 1024 + 1, True, "200.1 MB"),
        (200 * 1024 * 1024 + 1, False, "200 MB"),
        (1536, True, "1.5 KB"),
        (512, True, "512 bytes"),
        (3 * 1024**3, True, "3 GB"),
    ],
)
def test_format_size(n_bytes, round_up, text):
    assert format_size(n_bytes, round_up=round_up) == text
