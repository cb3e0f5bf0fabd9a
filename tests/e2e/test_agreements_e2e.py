"""The partnership agreement in the browser (issue #18), on the demo world: lead staff publish
version 3 of Community Meals' agreement; the bakery's admin finds it on her home page, objects
with a comment; the programme page shows the objection in the partners table; axe finds
nothing on the agreement's pages at 390 and 1280 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, screenshots, sign_in
from tests.e2e.journeys import sign_out

STAFF = "staff@demo.coprod.org"
BAKERY_ADMIN = "dev@demo.coprod.org"  # Dev Patel, admin of Harbour Bakery
COMMENT = "Collection at 7am on Fridays still does not work: 9:30 please."


def _axe_both(page) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)


def test_staff_publish_a_version_a_partner_objects_and_the_programme_page_shows_it(page):
    sign_in(page, STAFF)
    page.goto("/programmes")
    page.get_by_role("link", name="Community Meals").first.click()
    page.get_by_role("link", name=re.compile(r"Partnership agreement \(version 2\)")).click()
    page.wait_for_url(re.compile(r"/programmes/\d+/agreement$"))
    programme_url = page.url.removesuffix("/agreement")
    _axe_both(page)
    page.get_by_label("Review date").fill("2027-11-30")
    page.get_by_role("button", name="Publish version 3").click()
    page.wait_for_url(re.compile(r"/agreement$"))
    # The agreement's URL does not change, so wait_for_url does not wait: the text does.
    expect(page.locator("body")).to_contain_text("Version 3 is in force")
    sign_out(page)

    sign_in(page, BAKERY_ADMIN)
    page.get_by_role("link", name=re.compile("Community Meals")).first.click()
    page.wait_for_url(re.compile(r"/agreement"))
    page.locator("label[for=answer-object]").click()
    page.get_by_role("button", name="Send our answer").click()
    expect(page.locator("body")).to_contain_text("a comment is required when you object")
    _axe_both(page)  # the form with its error
    page.locator("label[for=answer-object]").click()
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Send our answer").click()
    expect(page.locator("body")).to_contain_text("Harbour Bakery objects to version 3.")
    screenshots(page, "agreement")

    page.goto(programme_url)
    row = page.locator("tr", has_text="Harbour Bakery")
    expect(row).to_contain_text(f"Objected to version 3: {COMMENT}", use_inner_text=True)
    _axe_both(page)
    page.goto(programme_url + "/agreement/versions")
    assert "Version 3" in page.content() and "Version 1" in page.content()
    _axe_both(page)
    page.goto(programme_url + "/agreement/versions/1")
    assert "A newer version replaced this one" in page.content()
    _axe_both(page)
