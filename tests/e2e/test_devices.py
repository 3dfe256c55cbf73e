"""Settings → Signed-in devices: another device is listed and signed out at once."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.support import FINANCE_VIOLA, console_errors, new_page, open_page, sign_in

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_another_device_is_listed_and_signed_out_at_once(browser: Browser, base_url: str) -> None:
    laptop = new_page(browser)
    phone = new_page(browser, user_agent=IPHONE)
    try:
        sign_in(phone, base_url, FINANCE_VIOLA, fresh=True)
        sign_in(laptop, base_url, FINANCE_VIOLA, fresh=True)
        assert phone.request.get(base_url + "/api/auth/me").status == 200
        open_page(laptop, base_url + "/settings")
        card = laptop.get_by_role("region", name="Signed-in devices")
        here = card.get_by_role("row").filter(has_text="This device")
        expect(here).to_have_count(1)
        iphone = card.get_by_role("row").filter(has_text="Safari on iPhone")
        expect(iphone).to_have_count(1)
        iphone.get_by_role("button", name="Sign out Safari on iPhone").click()
        dialog = laptop.get_by_role("dialog", name="Sign out this device?")
        dialog.get_by_role("button", name="Sign out").click()
        expect(iphone).to_have_count(0)
        expect(here).to_have_count(1)
        # The phone's access cookie stops working now, not when it would have expired.
        assert phone.request.get(base_url + "/api/auth/me").status == 401
        assert laptop.request.get(base_url + "/api/auth/me").status == 200
        assert console_errors(laptop) == []
    finally:
        phone.context.close()
        laptop.context.close()
