"""Admin data pages: the location catalogue (edit, import, export, delete), currency rates and
the companies' booking-order templates and stamps."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from openpyxl import Workbook
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import ADMIN, console_errors, open_page, sign_in
from tests.unit.files.samples import pptx_bytes


def test_admin_manages_the_location_catalogue(page: Page, base_url: str, tmp_path: Path) -> None:
    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/admin/locations")
    suffix = uuid.uuid4().hex[:6]
    name = f"Marina Screen {suffix}"
    page.get_by_role("button", name="Add a location").click()
    dialog = page.get_by_role("dialog", name="Add a location")
    dialog.get_by_role("button", name="Add location").click()
    expect(dialog.get_by_role("alert")).to_have_text("Enter the location's name.")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Company", exact=True).select_option(label="Viola")
    dialog.get_by_label("Aliases", exact=True).fill(f"marina {suffix}, the marina")
    dialog.get_by_label("Upload fee (AED)", exact=True).fill("2500")
    dialog.get_by_role("button", name="Add location").click()
    expect(dialog).to_have_count(0)
    page.get_by_role("searchbox", name="Filter locations").fill(suffix)
    row = page.get_by_role("table", name="Locations").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("AED 2,500")
    expect(row).to_contain_text(f"marina_screen_{suffix}")

    # Deactivated through the edit dialog: hidden until "Show inactive".
    row.get_by_role("button", name=f"Edit {name}").click()
    edit = page.get_by_role("dialog", name=f"Edit {name}")
    edit.get_by_label("Active (offered in proposals)", exact=True).uncheck()
    edit.get_by_role("button", name="Save changes").click()
    expect(edit).to_have_count(0)
    expect(page.get_by_text("No location matches the filter.")).to_be_visible()
    page.get_by_label("Show inactive", exact=True).check()
    expect(row.get_by_text("Inactive")).to_be_visible()

    # Import: problems are listed per row and nothing is written; a good file imports.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "key,display_name,company,display_type\n"
        f"import_{suffix},Import {suffix},viola,digital\n"
        "broken,,nowhere,paper\n"
    )
    page.get_by_role("button", name="Import…").click()
    dialog = page.get_by_role("dialog", name="Import locations")
    dialog.get_by_label("Catalogue file (.csv or .xlsx)", exact=True).set_input_files(bad)
    dialog.get_by_role("button", name="Check the file").click()
    problems = dialog.get_by_role("table", name="Rows with problems")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems).to_contain_text("unknown company 'nowhere'")
    expect(dialog.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    good = tmp_path / "good.csv"
    good.write_text(
        f"key,display_name,company,display_type\nimport_{suffix},Import {suffix},viola,digital\n"
    )
    dialog.get_by_label("Catalogue file (.csv or .xlsx)", exact=True).set_input_files(good)
    dialog.get_by_role("button", name="Check the file").click()
    expect(dialog.get_by_text("The file is valid: 1 to add, 0 to update.")).to_be_visible()
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(2)

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(info.value.path()).read_text()
    assert f"import_{suffix}" in exported and f"marina_screen_{suffix}" in exported

    page.get_by_role("button", name=f"Delete Import {suffix}").click()
    page.get_by_role("dialog", name=f"Delete Import {suffix}?").get_by_role(
        "button", name="Delete"
    ).click()
    expect(row).to_have_count(1)
    assert page.request.get(base_url + f"/api/locations/import_{suffix}").status == 404
    assert console_errors(page, expected_statuses=[422]) == []


def _new_location(page: Page, base_url: str, kind: str) -> tuple[str, Locator]:
    """An admin adds a location named "<kind> <suffix>"; its name and its row, filtered to."""
    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/admin/locations")
    suffix = uuid.uuid4().hex[:6]
    name = f"{kind} {suffix}"
    page.get_by_role("button", name="Add a location").click()
    dialog = page.get_by_role("dialog", name="Add a location")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Company", exact=True).select_option(label="Viola")
    dialog.get_by_role("button", name="Add location").click()
    expect(dialog).to_have_count(0)
    page.get_by_role("searchbox", name="Filter locations").fill(suffix)
    row = page.get_by_role("table", name="Locations").locator("tbody tr")
    expect(row).to_have_count(1)
    return name, row


def test_admin_uploads_a_location_slide_photo(page: Page, base_url: str, tmp_path: Path) -> None:
    name, row = _new_location(page, base_url, "Photo Screen")

    not_a_photo = tmp_path / "notes.txt"
    not_a_photo.write_text("not an image")
    picture = tmp_path / "site.png"
    Image.new("RGB", (1200, 700), (40, 120, 200)).save(picture)
    row.get_by_role("button", name=f"Slide photo for {name}: automatic").click()
    photo = page.get_by_role("dialog", name=f"Slide photo for {name}")
    expect(photo).to_contain_text("best mockup photo")
    photo.get_by_label("Photo (JPEG, PNG or WebP)", exact=True).set_input_files(not_a_photo)
    photo.get_by_role("button", name="Use this photo").click()
    expect(photo.get_by_role("alert")).to_contain_text("photo must be a JPEG, PNG or WebP")
    photo.get_by_label("Photo (JPEG, PNG or WebP)", exact=True).set_input_files(picture)
    photo.get_by_role("button", name="Use this photo").click()
    expect(photo).to_have_count(0)
    expect(page.get_by_text(f"{name}'s slides now show the uploaded photo.")).to_be_visible()
    uploaded = row.get_by_role("button", name=f"Slide photo for {name}: uploaded")
    expect(uploaded).to_have_text("Uploaded")

    # The dialog shows the slide copy, and goes back to the mockup photos.
    uploaded.click()
    photo = page.get_by_role("dialog", name=f"Slide photo for {name}")
    preview = photo.get_by_role("img", name=f"Slide photo of {name}")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 1200
    photo.get_by_role("button", name="Use the mockup photos").click()
    expect(photo).to_have_count(0)
    expect(row.get_by_role("button", name=f"Slide photo for {name}: automatic")).to_be_visible()
    assert console_errors(page, expected_statuses=[422]) == []


def test_admin_gives_a_location_its_own_deck(page: Page, base_url: str, tmp_path: Path) -> None:
    name, row = _new_location(page, base_url, "Deck Screen")
    not_a_deck = tmp_path / "notes.txt"
    not_a_deck.write_text("not a deck")
    deck_file = tmp_path / "site.pptx"
    deck_file.write_bytes(pptx_bytes([["Our own site slide"]]))

    row.get_by_role("button", name=f"Deck for {name}: generated").click()
    deck = page.get_by_role("dialog", name=f"Deck for {name}")
    expect(deck).to_contain_text("uses the clean generated deck")
    expect(deck.get_by_role("button", name="Use the generated deck")).to_be_hidden()
    deck.get_by_role("button", name="Use this deck").click()
    expect(deck.get_by_role("alert")).to_have_text("Choose a .pptx file.")
    deck.get_by_label("PowerPoint deck (.pptx)", exact=True).set_input_files(not_a_deck)
    deck.get_by_role("button", name="Use this deck").click()
    expect(deck.get_by_role("alert")).to_contain_text("template must be a PowerPoint (.pptx)")
    deck.get_by_label("PowerPoint deck (.pptx)", exact=True).set_input_files(deck_file)
    deck.get_by_role("button", name="Use this deck").click()
    expect(deck).to_have_count(0)
    expect(page.get_by_text(f"{name} now uses the uploaded deck.")).to_be_visible()
    custom = row.get_by_role("button", name=f"Deck for {name}: custom")
    expect(custom).to_have_text("Custom")

    # Back to the generated deck.
    custom.click()
    deck = page.get_by_role("dialog", name=f"Deck for {name}")
    expect(deck).to_contain_text("uses its own PowerPoint deck")
    deck.get_by_role("button", name="Use the generated deck").click()
    expect(deck).to_have_count(0)
    expect(page.get_by_text(f"{name} now uses the generated deck.")).to_be_visible()
    expect(row.get_by_role("button", name=f"Deck for {name}: generated")).to_be_visible()
    assert console_errors(page, expected_statuses=[422]) == []


def test_admin_edits_the_currency_rates(page: Page, base_url: str) -> None:
    sign_in(page, base_url, ADMIN)
    before = page.request.get(base_url + "/api/settings/currency-rates").json()["rates"]
    open_page(page, base_url + "/admin/rates")
    form = page.get_by_role("form", name="Currency rates")
    expect(form.get_by_label("AED per 1 USD", exact=True)).to_have_value(before["USD"])
    form.get_by_role("button", name="Add a currency").click()
    form.get_by_label("Currency code", exact=True).last.fill("aed")
    form.get_by_role("button", name="Save rates").click()
    expect(form.get_by_text("AED is the base currency: it is always 1.")).to_be_visible()
    form.get_by_label("Currency code", exact=True).last.fill("SAR")
    form.get_by_label("AED per 1 SAR", exact=True).fill("0.979")
    form.get_by_label("AED per 1 USD", exact=True).fill("3.70")
    form.get_by_role("button", name="Save rates").click()
    expect(page.get_by_text(re.compile("^Saved the currency rates"))).to_be_visible()
    after = page.request.get(base_url + "/api/settings/currency-rates").json()["rates"]
    assert after["SAR"] == "0.979" and after["USD"] in ("3.70", "3.7")
    # Put the demo rates back for the other journeys.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")
    restored = page.request.put(
        base_url + "/api/settings/currency-rates",
        data={"rates": before},
        headers={"X-CSRF-Token": csrf},
    )
    assert restored.status == 200
    assert console_errors(page) == []


def test_admin_replaces_a_company_stamp_and_a_bad_template_is_refused(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/admin/companies")
    backlite = page.get_by_role("region", name="Backlite · backlite")
    stamp = backlite.get_by_role("group", name="Company stamp")
    expect(stamp.get_by_role("link", name=re.compile(r"^Download .*\.png$"))).to_be_visible()
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 290, 290), outline=(200, 0, 0, 255), width=12)
    image.save(tmp_path / "new-stamp.png")
    stamp.get_by_label("Replace with", exact=True).set_input_files(tmp_path / "new-stamp.png")
    stamp.get_by_role("button", name="Upload a stamp").click()
    expect(stamp.get_by_role("link", name="Download new-stamp.png")).to_be_visible()
    expect(stamp.get_by_role("img", name="Preview of new-stamp.png")).to_be_visible()

    template = backlite.get_by_role("group", name="Booking-order template")
    template.get_by_role("button", name="Upload a template").click()
    expect(template.get_by_role("alert")).to_have_text("Choose the file first.")
    (tmp_path / "not-a-template.xlsx").write_bytes(_workbook_without_bo_form())
    template.get_by_label("Replace with", exact=True).set_input_files(
        tmp_path / "not-a-template.xlsx"
    )
    template.get_by_role("button", name="Upload a template").click()
    expect(template.get_by_role("alert")).to_contain_text("BO Form")
    assert console_errors(page, expected_statuses=[422]) == []


def _workbook_without_bo_form() -> bytes:
    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
