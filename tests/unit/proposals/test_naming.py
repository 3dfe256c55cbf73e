from datetime import datetime

import pytest

from salesbot.proposals.naming import client_case, client_file_name, location_pptx_name, safe_stem


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("The Dubai Gateway", "Dubai_Gateway_Proposal.pptx"),
        ("dubai_gateway", "Dubai_Gateway_Proposal.pptx"),
        ("UAE 21", "UAE_21_Proposal.pptx"),
        ("Al Jawhara / Tower #2", "Al_Jawhara_Tower_2_Proposal.pptx"),
        ("../../etc/passwd", "Etc_Passwd_Proposal.pptx"),
        ("", "Location_Proposal.pptx"),
        ("The", "The_Proposal.pptx"),
    ],
)
def test_location_pptx_name(label, expected):
    assert location_pptx_name(label) == expected


def test_client_pdf_name():
    when = datetime(2026, 1, 1, 14, 30)
    assert client_file_name("Nike Middle East", when) == (
        "Nike_Middle_East_Proposal_2026-01-01_1430.pdf"
    )
    assert client_file_name("Nike Middle East", when, "pptx") == (
        "Nike_Middle_East_Proposal_2026-01-01_1430.pptx"
    )


def test_names_are_ascii_safe_and_bounded():
    when = datetime(2026, 1, 1, 9, 5)
    assert client_file_name("Café Zürich — ±", when) == "Cafe_Zurich_Proposal_2026-01-01_0905.pdf"
    assert client_file_name("شركة", when) == "Client_Proposal_2026-01-01_0905.pdf"
    long_name = safe_stem("word " * 100)
    assert len(long_name) <= 60
    assert not long_name.endswith("_")
    assert client_file_name("x", when, "../pdf") == "X_Proposal_2026-01-01_0905.pdf"


@pytest.mark.parametrize(
    ("location", "client", "expected"),
    [
        ("The Landmark", "Nike", "Nike_Landmark_Proposal.pptx"),
        ("The Dubai Gateway", "Nike Middle East", "Nike_Middle_East_Dubai_Gateway_Proposal.pptx"),
        ("UAE 21", "  ", "UAE_21_Proposal.pptx"),
        ("UAE 21", "شركة", "UAE_21_Proposal.pptx"),
    ],
)
def test_location_deck_names_carry_the_client(location, client, expected):
    assert location_pptx_name(location, client) == expected


def test_client_stem_is_bounded():
    name = location_pptx_name("The Landmark", "word " * 40)
    assert name.endswith("_Landmark_Proposal.pptx")
    assert len(name.split("_Landmark_")[0]) <= 40


@pytest.mark.parametrize(
    ("typed", "known", "expected"),
    [
        ("adidas", "Adidas", "Adidas"),
        ("ADIDAS", "Adidas", "Adidas"),
        ("  adidas  ", None, "adidas"),  # a new client keeps the case it was typed in
        ("nike  middle east", None, "nike middle east"),
        ("eBay", None, "eBay"),
        ("HSBC", None, "HSBC"),
        ("Emirates NBD", "emirates nbd", "emirates nbd"),  # the first spelling is kept
        ("adidas", "Adidas Originals", "adidas"),  # another client
        ("123", None, "123"),
    ],
)
def test_client_case(typed, known, expected):
    assert client_case(typed, known) == expected
