"""The escalations page a manager works from, in Chromium: filters, counts by deadline, order and
pages, the search box on every page, at a desktop's width and a phone's, with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import update

from escalation_engine.store.tables import EscalationRow
from tests.support.browser import PHONE, accessible, kept_page, open_as, sign_in, tab_until
from tests.support.databases import database
from tests.support.server import PASSWORD, Live, service_folder, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("queues")
    with database("sqlite", path) as url, serving(service_folder(path, url)) as running:
        for n in range(3):
            running.raised(f"CLA-61000{n}")
        running.raised("CLA-610009", category="placement")
        yield running


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with kept_page(browser, request.node.name, bypass_csp=True, viewport=PHONE) as opened:
        yield opened


def _rows(page: Page) -> list[str]:
    return [row.inner_text().split()[0] for row in page.locator("main tbody tr").all()]


def test_a_manager_filters_by_category_and_counts_follow_the_filters(
    live: Live, page: Page
) -> None:
    open_as(page, live.url + "/escalations", "jo")
    assert "All open: 4" in page.inner_text(".desk-counts")
    assert len(_rows(page)) == 4
    accessible(page)
    page.get_by_label("Category").select_option(label="Placement")
    page.get_by_label("Order").select_option(label="By reference")
    page.get_by_role("button", name="Show escalations").click()
    page.wait_for_url("**/escalations?*category=placement*")
    assert "All open: 1" in page.inner_text(".desk-counts")
    assert "CLA-610009" in page.inner_text("main tbody")
    assert page.get_by_label("Category").input_value() == "placement"  # the choice is kept
    accessible(page)
    page.get_by_role("link", name="Overdue: 0").click()
    assert "No escalation you may see matches these filters." in page.inner_text("main")
    page.goto(live.url + "/escalations?due=tomorrow")
    assert "Unknown deadline window 'tomorrow'" in page.inner_text(".govuk-error-summary")
    accessible(page)


def test_an_iro_outside_them_sees_none_and_is_not_told_they_exist(live: Live, page: Page) -> None:
    open_as(page, live.url + "/escalations", "tom")
    assert "All open: 0" in page.inner_text(".desk-counts")
    page.goto(live.url + "/escalations?q=CLA-610001")
    assert "0 escalations" in page.inner_text("main")


def test_a_late_escalation_says_by_how_many_working_days_and_comes_first(
    live: Live, page: Page
) -> None:
    late = live.raised("CLA-610020")
    assert late.stage_due_at is not None
    # Its deadline put back into last month, as if it had waited since (the row alone: this
    # page reads the row, and the trail is not what is being checked here).
    with live.service.engine.begin() as connection:
        table = EscalationRow.__table__  # type: ignore[attr-defined]
        connection.execute(
            update(table)
            .where(table.c.reference == late.reference)
            .values(stage_due_at=late.stage_due_at - timedelta(days=35))
        )
    open_as(page, live.url + "/escalations", "jo")
    first = page.locator("main tbody tr").first
    assert late.reference in first.inner_text()
    assert "Overdue by " in first.inner_text()
    assert "Overdue: 1" in page.inner_text(".desk-counts")


def test_on_a_phone_with_the_keyboard_alone_the_search_box_finds_a_child_and_a_reference(
    live: Live, phone: Page
) -> None:
    phone.goto(live.url + "/inbox")
    sign_in(phone, "jo")
    phone.wait_for_url(live.url + "/inbox")

    def tab_to(selector: str) -> None:
        tab_until(phone, selector)

    tab_to("#search-q")
    phone.keyboard.type("cla-610001")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/escalations?q=*")
    assert len(_rows(phone)) == 1
    # Nothing scrolls sideways, and the status is on the screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    status = phone.locator("main tbody td[data-label='Status']").first
    assert status.is_visible()
    box = status.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]
    accessible(phone)
    reference = _rows(phone)[0]
    tab_to("#search-q")
    phone.keyboard.type(reference)
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"{live.url}/escalations/{reference}")  # a whole reference: straight there
    accessible(phone)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_iro_manager_goes_from_the_dashboard_into_the_list_it_counts(
    live: Live, browser: Browser, request: pytest.FixtureRequest, width: str
) -> None:
    options = {"viewport": PHONE} if width == "phone" else {}
    with kept_page(browser, request.node.name, bypass_csp=True, **options) as page:
        open_as(page, live.url + "/dashboard", "priya")
        table = page.locator("table", has=page.locator("caption", has_text="Dispute resolution"))
        first = table.locator("tbody tr", has_text="Stage 1")
        count = first.locator("td[data-label='Open'] a")
        shown = int(count.inner_text().split()[0])
        accessible(page)
        if width == "phone":
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        count.click()
        page.wait_for_url("**/escalations?workflow=dispute_resolution&stage=team_manager")
        assert len(_rows(page)) == shown
        accessible(page)


def test_an_auditor_on_a_phone_reads_the_access_log_with_the_keyboard_alone(
    live: Live, phone: Page
) -> None:
    first = live.service.all()[0].reference
    phone.goto(f"{live.url}/escalations/{first}")
    sign_in(phone, "jo")  # a look the log will show
    phone.wait_for_url(f"{live.url}/escalations/{first}")
    phone.context.clear_cookies()
    phone.goto(live.url + "/inbox")
    tab_until(phone, "#username")
    phone.keyboard.type("amir")
    tab_until(phone, "#password")
    phone.keyboard.type(PASSWORD)
    phone.keyboard.press("Enter")
    phone.wait_for_url(live.url + "/inbox")
    tab_until(phone, "a[href='/oversight']")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live.url + "/oversight")
    tab_until(phone, "#reference")
    phone.keyboard.type(first)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/oversight?*reference=*")
    row = phone.locator("main tbody tr").first
    assert "Jo Bennett" in row.inner_text()
    assert "Opened its page" in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    accessible(phone)
