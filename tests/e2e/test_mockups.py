"""Mockups in the browser: a sales person's artwork on a billboard; a coordinator's frame setup."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.support import SALES, WORK_TIMEOUT_MS, console_errors, open_page, sign_in

COORDINATOR = "coordinator.backlite@demo.salesbot.dev"
PHOTO_SIZE = (1200, 800)
SCREEN = [(300, 120), (900, 150), (890, 460), (310, 480)]


def _creative(path: Path, colour: tuple[int, int, int]) -> Path:
    image = Image.new("RGB", (800, 400), colour)
    ImageDraw.Draw(image).rectangle((100, 100, 700, 300), fill=(255, 255, 255))
    image.save(path)
    return path


def _billboard_photo(path: Path) -> Path:
    """A street scene with a green screen; a random speck makes every run's file unique."""
    image = Image.new("RGB", PHOTO_SIZE, (90, 110, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1200, 800), fill=(60, 60, 60))
    draw.polygon(SCREEN, fill=(0, 255, 0))
    seed = uuid.uuid4().int
    draw.point([(seed % 200, 20 + seed % 50)], fill=(seed % 255, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return path


def test_uploaded_artwork_appears_on_the_billboard(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/mockups")
    page.get_by_label("Location", exact=True).select_option(label="The Landmark")
    page.get_by_label("Time of day", exact=True).select_option("night")
    expect(page.get_by_label("Photo", exact=True)).to_contain_text("the_landmark_2.jpg")
    # Generating without artwork says what is missing.
    page.get_by_role("button", name="Generate mockup").click()
    form = page.get_by_role("form", name="Generate a mockup")
    expect(form.get_by_role("alert")).to_have_text(
        "Choose at least one image of the artwork, or describe it instead."
    )

    # Two images for a one-frame billboard: the service's reason, next to the form.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose images…").click()
    chooser.value.set_files(
        [_creative(tmp_path / "a.png", (230, 80, 20)), _creative(tmp_path / "b.png", (20, 80, 230))]
    )
    tray = page.get_by_role("list", name="Artwork files")
    expect(tray.get_by_text("Ready")).to_have_count(2)
    page.get_by_role("button", name="Generate mockup").click()
    expect(form.get_by_role("alert")).to_contain_text("you sent 2 creatives")
    tray.get_by_role("button", name="Remove b.png").click()

    page.get_by_role("button", name="Generate mockup").click()
    gallery = page.get_by_role("list", name="Your mockups")
    newest = gallery.get_by_role("listitem").first
    image = newest.get_by_role("img", name="Mockup on The Landmark (the_landmark_2.jpg)")
    expect(image).to_be_visible(timeout=WORK_TIMEOUT_MS)
    expect(newest).to_be_focused()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    expect(newest).to_contain_text("your artwork")
    href = newest.get_by_role("link", name=re.compile("^Download ")).get_attribute("href")
    assert href is not None
    download = page.request.get(base_url + href)
    assert download.status == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert console_errors(page, expected_statuses=[422]) == []


def test_coordinator_sets_up_a_frame_on_a_new_photo(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    sign_in(page, base_url, COORDINATOR)
    open_page(page, base_url + "/mockups/setup")
    add = page.get_by_role("form", name="Add a billboard photo")
    expect(add.get_by_label("Location", exact=True)).to_contain_text("The Dubai Gateway")
    locations = add.get_by_label("Location", exact=True).locator("option").all_inner_texts()
    assert "The Dubai Gateway" in locations
    assert "UAE21" not in locations  # another company's location
    add.get_by_label("Location", exact=True).select_option(label="The Dubai Gateway")
    add.get_by_label("Time of day", exact=True).select_option("night")
    add.get_by_label("Finish", exact=True).fill("silver")
    add.get_by_label("Photo (JPEG, PNG or WebP)", exact=True).set_input_files(
        _billboard_photo(tmp_path / "street.jpg")
    )
    add.get_by_role("button", name="Upload photo").click()

    editor = page.get_by_role("region", name=" · The Dubai Gateway")
    expect(editor).to_be_visible()
    expect(editor.get_by_text("No frames yet")).to_be_visible()
    editor.get_by_role("button", name="Detect green screen").click()
    expect(editor.get_by_text("Found 1 area")).to_be_visible()
    expect(editor.get_by_role("button", name="Frame 1")).to_have_attribute("aria-pressed", "true")
    left_x = editor.get_by_label("Top left x", exact=True)
    left_y = editor.get_by_label("Top left y", exact=True)
    found = (int(left_x.input_value()), int(left_y.input_value()))
    assert abs(found[0] - SCREEN[0][0]) <= 6 and abs(found[1] - SCREEN[0][1]) <= 6

    # Drag the top-left corner 40 photo pixels right and 20 down.
    canvas = editor.locator("canvas")
    box = canvas.bounding_box()
    assert box is not None
    zoom = box["width"] / PHOTO_SIZE[0]
    start = (box["x"] + found[0] * zoom, box["y"] + found[1] * zoom)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 20 * zoom, start[1] + 10 * zoom, steps=4)
    page.mouse.move(start[0] + 40 * zoom, start[1] + 20 * zoom, steps=4)
    page.mouse.up()
    moved = (int(left_x.input_value()), int(left_y.input_value()))
    assert abs(moved[0] - (found[0] + 40)) <= 2 and abs(moved[1] - (found[1] + 20)) <= 2
    status = editor.get_by_role("status").filter(has_text=re.compile("^(Saved|Unsaved changes)$"))
    expect(status).to_have_text("Unsaved changes")

    # Keyboard: the arrow keys nudge the chosen corner.
    canvas.focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(left_x).to_have_value(str(moved[0] + 10))

    brightness = editor.get_by_label("Brightness", exact=True)
    brightness.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    slider_id = brightness.get_attribute("id")
    expect(editor.locator(f"output[for='{slider_id}']")).to_have_text("105%")
    preview = editor.get_by_role("img", name="with a test poster")
    expect(preview).to_be_visible(timeout=WORK_TIMEOUT_MS)
    expect(editor.get_by_text("Preview with a test poster (not saved).")).to_be_visible()

    editor.get_by_role("button", name="Save frames").click()
    expect(status).to_have_text("Saved")
    title = editor.get_by_role("heading", level=2).inner_text()
    name = title.split(" · ")[0]
    photos = page.request.get(base_url + "/api/mockups/photos?location=dubai_gateway").json()
    saved = next(p for p in photos if p["name"] == name)
    assert saved["frame_count"] == 1
    assert saved["time_of_day"] == "night" and saved["finish"] == "silver"
    top_left = saved["frames"][0]["points"][0]
    assert top_left == pytest.approx([moved[0] + 10, moved[1]], abs=1)
    assert saved["frames"][0]["settings"]["brightness"] == 105
    expect(page.get_by_role("button", name=f"Set up {name}")).to_contain_text("1 frame")
    assert console_errors(page) == []
