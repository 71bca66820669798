"""The desk's forms the GOV.UK way, in Chromium: a form sent is followed by a page of its own
(reloading it sends nothing again); a refused form comes back as it was typed, its error linked
from the summary to its field; an address that does not exist, or a form's address opened as a
page, is a page that says what to do."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import accessible, kept_page, open_as
from tests.support.databases import database
from tests.support.server import PASSWORD, Live, service_folder, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("forms")
    with database("sqlite", path) as url, serving(service_folder(path, url)) as running:
        running.service.accounts.add_account("priya", "ellie", PASSWORD)
        yield running


def test_a_form_sent_lands_on_a_page_of_its_own_and_a_reload_sends_nothing(
    live: Live, page: Page
) -> None:
    reference = live.raised("CLA-620001").reference
    open_as(page, f"{live.url}/escalations/{reference}", "jo")
    form = page.locator("form[action$='/actions/respond']")
    form.get_by_label("Note").fill("Meeting booked for Thursday.")
    form.get_by_role("button", name="Respond").click()
    page.wait_for_url(f"{live.url}/escalations/{reference}?done=respond")
    assert "responded" in page.inner_text(".govuk-notification-banner")
    page.reload()
    assert [e.action for e in live.service.trail(reference)].count("respond") == 1
    page.get_by_role("button", name="Watch this escalation").click()
    page.wait_for_url(f"{live.url}/escalations/{reference}?watching=yes")
    assert "You are watching it" in page.inner_text(".govuk-notification-banner")
    accessible(page)


def test_a_refused_form_comes_back_as_typed_with_its_error_linked_to_its_field(
    live: Live, page: Page
) -> None:
    reference = live.raised("CLA-620002").reference
    open_as(page, f"{live.url}/escalations/{reference}", "jo")
    form = page.locator("form[action$='/actions/respond']")
    form.get_by_label("This is a holding response").check()
    form.get_by_label("When the full response will come").fill("2026-02-30")
    form.get_by_label("Note").fill("Holding: the panel sits next week.")
    form.get_by_role("button", name="Respond").click()
    summary = page.locator(".govuk-error-summary")
    assert "'2026-02-30' is not a date" in summary.inner_text()
    assert summary.locator("a").get_attribute("href") == "#respond-follow_up"
    form = page.locator("form[action$='/actions/respond']")
    day = form.get_by_label("When the full response will come")
    assert day.input_value() == "2026-02-30"
    assert "govuk-input--error" in (day.get_attribute("class") or "")
    assert form.get_by_label("Note").input_value() == "Holding: the panel sits next week."
    assert form.get_by_label("This is a holding response").is_checked()
    summary.locator("a").click()  # the link takes the keyboard to the field
    assert page.evaluate("document.activeElement.id") == "respond-follow_up"
    assert [e.action for e in live.service.trail(reference)] == ["raise"]
    accessible(page)


def test_a_form_left_open_while_someone_acted_keeps_what_was_typed(
    live: Live, browser: Browser, page: Page
) -> None:
    reference = live.raised("CLA-620003").reference
    open_as(page, f"{live.url}/escalations/{reference}", "jo")
    live.service.act(reference, "jo", "respond", note="Answered by telephone, recorded here.")
    form = page.locator("form[action$='/actions/respond']")
    form.get_by_label("Note").fill("A second answer, typed at length.")
    form.get_by_role("button", name="Respond").click()
    assert "changed while you were looking at it" in page.inner_text(".govuk-error-summary")
    # The page shows what it has become, and what was typed, though it can no longer be sent
    # (a response is in: Respond is not offered again), to copy from.
    assert "Answered by telephone" in page.inner_text("main")
    assert page.locator("form[action$='/actions/respond']").count() == 0
    assert "A second answer, typed at length." in page.inner_text(".desk-unsent")
    assert [e.action for e in live.service.trail(reference)].count("respond") == 1
    accessible(page)


def test_an_address_not_found_and_a_forms_address_opened_are_pages_that_say_what_to_do(
    live: Live, page: Page
) -> None:
    reference = live.raised("CLA-620004").reference
    open_as(page, f"{live.url}/inbox", "jo")
    answer = page.goto(f"{live.url}/no-such-page")
    assert answer is not None
    assert answer.status == 404
    assert "Page not found" in page.inner_text("h1")
    accessible(page)
    answer = page.goto(f"{live.url}/escalations/{reference}/actions/respond")
    assert answer is not None
    assert answer.status == 405
    assert "This address is for sending a form" in page.inner_text("h1")
    page.get_by_role("link", name=f"Go to {reference}").click()
    page.wait_for_url(f"{live.url}/escalations/{reference}")
    accessible(page)
    api = httpx.get(f"{live.url}/api/v1/no-such-thing", timeout=30)
    assert api.status_code == 404
    assert api.json()["error"] == "No such address in the API: GET /api/v1/no-such-thing."


def test_a_manager_says_they_are_on_it_and_the_other_at_the_stage_sees_it(
    live: Live, browser: Browser, page: Page
) -> None:
    reference = live.raised("CLA-620005").reference
    open_as(page, f"{live.url}/escalations/{reference}", "jo")
    page.locator("summary", has_text="I'm on it").click()
    form = page.locator("form[action$='/actions/handle']")
    form.get_by_label("Note").fill("Calling the social worker this afternoon.")
    form.get_by_role("button", name="I'm on it").click()
    page.wait_for_url(f"{live.url}/escalations/{reference}?done=handle")
    assert (
        "Jo Bennett"
        in page.locator(".govuk-summary-list", has_text="Being handled by").inner_text()
    )
    accessible(page)
    with kept_page(browser, "ellie-sees-who-is-on-it", bypass_csp=True) as other:
        open_as(other, f"{live.url}/escalations?q=CLA-620005", "ellie")
        assert "Jo Bennett is on it" in other.inner_text("main tbody")


def test_an_iro_raises_a_case_alert_on_the_desk_with_its_review_date(
    live: Live, page: Page
) -> None:
    open_as(page, live.url + "/raise", "aisha")
    page.get_by_label("What kind of alert").select_option("case_alert:case_alert")
    page.get_by_label("Child's case reference").fill("CLA-620006")
    page.get_by_label("The child's team").select_option("north")
    page.get_by_label("What is the concern?").fill("Care plan not updated after the review.")
    page.get_by_role("button", name="Raise the alert").click()
    summary = page.locator(".govuk-error-summary")
    assert "counts its deadline from the review date" in summary.inner_text()
    assert "--date" not in summary.inner_text()  # no command-line words on a page
    assert summary.locator("a").get_attribute("href") == "#date_review_date"
    assert page.get_by_label("What is the concern?").input_value().startswith("Care plan")
    accessible(page)
    page.get_by_label("Review date").fill("2026-12-01")
    page.get_by_role("button", name="Raise the alert").click()
    page.wait_for_url("**/escalations/ESC-*?raised=1")
    reference = page.url.split("/escalations/")[1].split("?")[0]
    esc = live.service.get(reference)
    assert esc.alert_type == "case_alert"
    assert esc.dates["review_date"].isoformat() == "2026-12-01"
