"""Local time in a real browser: the demo agency is in Europe/London; its staff add a weekly
Saturday 09:00 series across the end of March, every week reads 09:00 (GMT, then BST), and a
volunteer's calendar feed gives the right UTC instant; a programme in Pacific/Auckland takes
Auckland's date for "today" when a volunteer logs hours."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import check_a11y, sign_in
from tests.e2e.journeys import open_task, sign_out

YEAR = datetime.now(UTC).year + 1
CHANGE = max(date(YEAR, 3, d) for d in range(25, 32) if date(YEAR, 3, d).weekday() == 6)
SAT_BEFORE, SAT_AFTER = CHANGE - timedelta(days=1), CHANGE + timedelta(days=6)
DASH = "\u2013"


def _time_cells(page, day: date) -> list[str]:
    rows = page.locator("table tbody tr").filter(has_text=f"{day:%a} {day.day} {day:%b %Y}")
    return [rows.nth(i).locator("td[data-label='Time']").inner_text() for i in range(rows.count())]


def test_a_weekly_series_reads_nine_local_across_the_end_of_march(page) -> None:
    sign_in(page, "staff@demo.coprod.org")
    task_url = open_task(page, "Saturday community kitchen")
    page.get_by_role("link", name="Add weekly shifts").click()
    expect(page.get_by_text("local time in Europe/London").first).to_be_visible()
    check_a11y(page)
    page.get_by_label("First date").fill((SAT_BEFORE - timedelta(weeks=1)).isoformat())
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_label("Repeat every week until").fill(SAT_AFTER.isoformat())
    page.get_by_label("Places").fill("5")
    page.get_by_role("button", name="Add weekly shifts").click()
    page.wait_for_url(task_url)
    assert _time_cells(page, SAT_BEFORE - timedelta(weeks=1)) == [f"09:00{DASH}12:00 GMT"]
    assert _time_cells(page, SAT_BEFORE) == [f"09:00{DASH}12:00 GMT"]
    assert _time_cells(page, SAT_AFTER) == [f"09:00{DASH}12:00 BST"]
    sign_out(page)

    # A volunteer signs up for the week after the change; the feed gives 08:00 UTC.
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto(task_url)
    when = f"{SAT_AFTER:%a} {SAT_AFTER.day} {SAT_AFTER:%b %Y}, 09:00{DASH}12:00 BST"
    page.get_by_role("button", name=f"Sign up for {when}").click()
    expect(page.get_by_text(when).first).to_be_visible()
    page.goto("/account/notifications")
    feed_url = page.locator("#feed-url").input_value()
    feed = page.request.get(feed_url).text()
    assert f"DTSTART:{SAT_AFTER:%Y%m%d}T080000Z" in feed
    assert f"DTEND:{SAT_AFTER:%Y%m%d}T110000Z" in feed


def test_a_programme_in_auckland_logs_on_aucklands_date(page) -> None:
    auckland_today = datetime.now(ZoneInfo("Pacific/Auckland")).date()
    sign_in(page, "staff@demo.coprod.org")
    page.goto("/programmes/new")
    page.get_by_label("Name").fill("Kiwi kitchens")
    page.get_by_label("Start date").fill("2026-01-01")
    page.get_by_label("Time zone").select_option("Pacific/Auckland")
    page.get_by_role("button", name="Create programme").click()
    page.wait_for_url(re.compile(r"/programmes/\d+$"))
    expect(page.get_by_text("Pacific/Auckland").first).to_be_visible()
    page.get_by_role("link", name="New task").click()
    page.get_by_label("Title").fill("Harbour lunch")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    task_url = page.url
    page.get_by_role("link", name="Add a shift").click()
    expect(page.get_by_text("local time in Pacific/Auckland").first).to_be_visible()
    page.get_by_label("Date").fill((auckland_today + timedelta(days=7)).isoformat())
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("End time").fill("14:00")
    page.get_by_label("Places").fill("4")
    page.get_by_role("button", name="Add shift").click()
    page.wait_for_url(task_url)
    expect(page.get_by_text(re.compile(f"11:00{DASH}14:00 NZ[SD]T")).first).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    # Published before signing out: signing out at once could cut the publishing short.
    expect(page.get_by_text("The task is now open.")).to_be_visible()
    sign_out(page)

    # The log form starts on Auckland's today (UTC may still be on the day before) and takes it.
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto(task_url)
    page.get_by_role("link", name="Log hours for this task").click()
    expect(page.get_by_label("Date")).to_have_value(auckland_today.isoformat())
    page.get_by_label("Hours").fill("2")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    page.wait_for_url(re.compile(r"/logs/\d+$"))
    expect(page.get_by_text(re.compile("submitted", re.I)).first).to_be_visible()
