"""Each person's job on the desk from start to end, with the keyboard alone, at a desk's screen
and a phone's: the IRO raises an alert and finds it again by the child's case reference; the
team manager answers it from their inbox; the service manager narrows the list to their stage
and team and says they are on it; the IRO manager goes from the dashboard into the list it
counts and on to the year's report; the auditor reads who looked at an escalation, a page of the log at a time; the data
protection officer exports a child's records for a subject-access request. Every page on
the way passes the accessibility check, and on a phone nothing scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from escalation_engine.app.operations import LOOKS_PAGE
from tests.support.browser import (
    PHONE,
    accessible,
    fits,
    kept_page,
    keyed_choice,
    keyed_follow,
    keyed_sign_in,
    tab_until,
)
from tests.support.databases import database
from tests.support.server import Live, service_folder, serving

pytestmark = pytest.mark.slow
WIDTHS = ("desktop", "phone")
#: A schedule, so the retention plan has something to show.
RETENTION = "\nretention:\n  years_after_closure: 7\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("days")
    with database("sqlite", path) as url, serving(service_folder(path, url, RETENTION)) as running:
        yield running


@pytest.fixture(params=WIDTHS)
def screen(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    options = {"viewport": PHONE} if request.param == "phone" else {}
    with kept_page(browser, request.node.name, bypass_csp=True, **options) as page:
        yield page


def _checked(page: Page) -> None:
    """The page as it is passes the accessibility check, and fits a phone's screen."""
    accessible(page)
    assert fits(page), f"{page.url} scrolls sideways"


def _start(page: Page, live: Live, username: str, where: str = "/inbox") -> None:
    page.goto(live.url + where)
    keyed_sign_in(page, username)
    page.wait_for_url(live.url + where)
    _checked(page)


def _case(page: Page, stem: int) -> str:
    """A case reference of this test's own (each width raises its own)."""
    return f"CLA-{stem + (1 if page.viewport_size == PHONE else 0)}"


def test_an_iro_raises_an_alert_and_finds_it_again_by_the_childs_case_reference(
    live: Live, screen: Page
) -> None:
    case = _case(screen, 810000)
    _start(screen, live, "aisha")
    keyed_follow(screen, "a[href='/raise']")
    screen.wait_for_url(live.url + "/raise")
    _checked(screen)
    keyed_choice(screen, "#kind", "dispute_resolution:practice_alert")
    tab_until(screen, "#case_refs")
    screen.keyboard.type(case)
    keyed_choice(screen, "#category", "drift_and_delay")
    keyed_choice(screen, "#team", "north")
    tab_until(screen, "#summary")
    screen.keyboard.type("No permanence plan four months after the second review.")
    keyed_follow(screen, "main form button[type=submit]")
    screen.wait_for_url("**/escalations/ESC-*?raised=1")
    reference = screen.url.split("/escalations/")[1].split("?")[0]
    assert live.service.get(reference).case_refs == (case,)
    _checked(screen)
    tab_until(screen, "#search-q")
    screen.keyboard.type(case.lower())
    screen.keyboard.press("Enter")
    screen.wait_for_url("**/escalations?q=*")
    assert reference in screen.inner_text("main")
    _checked(screen)


def test_a_team_manager_answers_an_alert_from_their_inbox(live: Live, screen: Page) -> None:
    reference = live.raised(_case(screen, 810010)).reference
    _start(screen, live, "jo")
    keyed_follow(screen, f"main a[href='/escalations/{reference}']")
    screen.wait_for_url(f"{live.url}/escalations/{reference}")
    _checked(screen)
    tab_until(screen, "#respond-note")  # answering is the first thing offered, already open
    screen.keyboard.type("Permanence meeting booked for Thursday.")
    keyed_follow(screen, "form[action$='/actions/respond'] button[type=submit]")
    screen.wait_for_url(f"{live.url}/escalations/{reference}?done=respond")
    assert live.service.get(reference).status == "responded"
    _checked(screen)


def test_a_service_manager_narrows_the_list_to_their_stage_and_says_they_are_on_it(
    live: Live, screen: Page
) -> None:
    service = live.service
    reference = live.raised(_case(screen, 810020)).reference
    service.act(reference, "jo", "respond", note="Meeting to be booked.")
    service.act(reference, "aisha", "reject", note="No date for the meeting.")
    assert service.get(reference).stage == "service_manager"
    _start(screen, live, "mark", "/escalations")
    keyed_choice(screen, "#filter-team", "north")
    keyed_choice(screen, "#filter-stage", "service_manager")
    keyed_follow(screen, "main form button[type=submit]")
    screen.wait_for_url("**/escalations?*stage=service_manager*")
    assert reference in screen.inner_text("main")
    _checked(screen)
    keyed_follow(screen, f"main a[href='/escalations/{reference}']")
    screen.wait_for_url(f"{live.url}/escalations/{reference}")
    details = "details:has(form[action$='/actions/handle'])"
    tab_until(screen, f"{details} > summary")
    screen.keyboard.press("Enter")
    keyed_follow(screen, "form[action$='/actions/handle'] button[type=submit]")
    screen.wait_for_url(f"{live.url}/escalations/{reference}?done=handle")
    assert service.get(reference).handled_by == "mark"
    _checked(screen)


def test_the_iro_manager_goes_from_the_dashboard_to_the_list_and_the_years_report(
    live: Live, screen: Page
) -> None:
    live.raised(_case(screen, 810030))
    _start(screen, live, "priya", "/dashboard")
    link = "main a[href='/escalations?workflow=dispute_resolution&stage=team_manager']"
    shown = int(screen.locator(link).first.inner_text().split()[0])
    keyed_follow(screen, link)
    screen.wait_for_url("**/escalations?workflow=dispute_resolution&stage=team_manager")
    rows = screen.locator("main tbody tr").count()
    assert rows == min(shown, 25)
    _checked(screen)
    keyed_follow(screen, "a[href='/report']")
    screen.wait_for_url(live.url + "/report")
    tab_until(screen, "#year")
    screen.keyboard.type("2026-27")
    screen.keyboard.press("Enter")
    screen.wait_for_url("**/report?year=2026-27*")
    assert screen.get_by_role("heading", name="The period at a glance").is_visible()
    _checked(screen)


def test_an_auditor_reads_who_looked_at_an_escalation_page_by_page(
    live: Live, screen: Page
) -> None:
    reference = live.raised(_case(screen, 810040)).reference
    live.service.view(reference, "priya", "show")  # the first look, on the second page
    for _ in range(LOOKS_PAGE):
        live.service.view(reference, "jo", "show")
    _start(screen, live, "amir")
    keyed_follow(screen, "a[href='/oversight']")
    screen.wait_for_url(live.url + "/oversight")
    tab_until(screen, "#reference")
    screen.keyboard.type(reference)
    screen.keyboard.press("Enter")
    screen.wait_for_url("**/oversight?*reference=*")
    rows = screen.locator("main tbody tr")
    assert rows.count() == LOOKS_PAGE
    assert "Jo Bennett" in rows.first.inner_text()
    assert screen.locator("main a[href*='access-log.csv']").count() == 1
    _checked(screen)
    keyed_follow(screen, "a[rel='next']")
    screen.wait_for_url("**/oversight?*before=*")
    assert [row.inner_text().count("Priya") for row in rows.all()] == [1]
    assert screen.get_by_label("Escalation", exact=True).input_value() == reference  # kept
    _checked(screen)
    keyed_follow(screen, "a[rel='prev']")
    screen.wait_for_url(re.compile(r".*/oversight\?reference=[^&]*$"))
    assert rows.count() == LOOKS_PAGE


def test_a_team_manager_marks_their_assistant_away_and_back(live: Live, screen: Page) -> None:
    reference = live.raised(_case(screen, 810050)).reference
    _start(screen, live, "jo")
    keyed_follow(screen, "a[href='/away']")
    screen.wait_for_url(live.url + "/away")
    _checked(screen)
    assert screen.locator("form[action='/away/mark']").count() == 0  # not in jo's line
    tab_until(screen, "#until-ellie")
    screen.keyboard.type("next Friday")
    tab_until(screen, "#note-ellie")
    screen.keyboard.type("Annual leave")
    keyed_follow(screen, "form[action='/away/ellie'] button[type=submit]")
    summary = screen.locator(".govuk-error-summary")
    assert "is not a date" in summary.inner_text()
    assert "--" not in summary.inner_text()  # no command-line words on a page
    assert summary.locator("a").get_attribute("href") == "#until-ellie"
    assert screen.locator("#note-ellie").input_value() == "Annual leave"  # kept as typed
    assert not live.service.people_now()["ellie"].away
    _checked(screen)
    tab_until(screen, "#until-ellie")
    screen.keyboard.press("Control+A")
    screen.keyboard.type(live.service.calendar.local_day(live.service.clock.now()).isoformat())
    keyed_follow(screen, "form[action='/away/ellie'] button[type=submit]")
    screen.wait_for_url("**/away?done=away&person=ellie")
    assert live.service.people_now()["ellie"].away
    assert "jo" in live.service.get(reference).with_people  # what was with ellie stays with jo
    assert "Ellie Ward is marked away" in screen.inner_text(".govuk-notification-banner")
    _checked(screen)
    keyed_follow(screen, "form[action='/away/ellie'] button[type=submit]")
    screen.wait_for_url("**/away?done=back&person=ellie")
    assert not live.service.people_now()["ellie"].away
    _checked(screen)


def test_the_data_protection_officer_exports_a_childs_records(live: Live, screen: Page) -> None:
    case = _case(screen, 810060)
    reference = live.raised(case).reference
    _start(screen, live, "dana")
    keyed_follow(screen, "a[href='/subject-access']")
    screen.wait_for_url(live.url + "/subject-access")
    _checked(screen)
    tab_until(screen, "#case")
    screen.keyboard.type("CLA-999999")  # a child no escalation is about
    screen.keyboard.press("Enter")
    summary = screen.locator(".govuk-error-summary a[href='#case']")
    assert "No escalation is about case CLA-999999" in summary.inner_text()
    assert screen.locator("#case").input_value() == "CLA-999999"  # kept, to correct
    _checked(screen)
    tab_until(screen, "#case")
    screen.keyboard.press("ControlOrMeta+a")
    screen.keyboard.type(case.lower())
    tab_until(screen, "#names-people")  # a radio group is one stop; the arrows choose
    screen.keyboard.press("ArrowDown")
    assert screen.locator("#names-roles").is_checked()
    with screen.expect_download() as downloading:
        keyed_follow(screen, "form[action='/subject-access'] button")
    export = Path(downloading.value.path()).read_text()
    assert downloading.value.suggested_filename == f"{case}.html"
    assert f"Records about {case}" in export
    assert reference in export
    assert "Aisha Khan" not in export  # named by role
    tab_until(screen, "#format-html")
    screen.keyboard.press("ArrowDown")
    with screen.expect_download() as downloading:
        keyed_follow(screen, "form[action='/subject-access'] button")
    assert downloading.value.suggested_filename == f"{case}.pdf"
    assert Path(downloading.value.path()).read_bytes().startswith(b"%PDF")
    looks = list(live.service.viewing.access_log("amir", viewer="dana", reference=reference))
    assert [look.view for look in looks] == ["subject_access"] * 2


def test_the_childs_records_are_the_data_protection_officers_alone(
    live: Live, screen: Page
) -> None:
    _start(screen, live, "priya")
    assert screen.locator("a[href='/subject-access']").count() == 0
    screen.goto(live.url + "/subject-access")
    assert "data protection officer" in screen.inner_text(".govuk-error-summary")
    _checked(screen)


def test_anyone_signed_in_reads_the_privacy_notice_from_the_footer(
    live: Live, screen: Page
) -> None:
    _start(screen, live, "tom")
    keyed_follow(screen, "footer a[href='/privacy']")
    screen.wait_for_url(live.url + "/privacy")
    assert screen.get_by_role("heading", name="Who can read each kind of record").is_visible()
    assert "data protection officer (1)" in screen.inner_text("main")
    _checked(screen)


def test_the_data_protection_officer_reads_the_retention_plan(live: Live, screen: Page) -> None:
    reference = live.raised(_case(screen, 810070)).reference
    live.service.act(reference, "aisha", "withdraw", note="Resolved at the review.")
    _start(screen, live, "dana")
    keyed_follow(screen, "a[href='/retention']")
    screen.wait_for_url(live.url + "/retention")
    row = screen.locator("main tbody tr", has_text=reference)
    assert row.count() == 1
    assert "7" in row.inner_text()
    with screen.expect_download() as downloading:
        keyed_follow(screen, "a[href='/retention.csv']")
    assert reference in Path(downloading.value.path()).read_text()
    _checked(screen)


def test_the_data_protection_officer_redacts_and_corrects_by_keyboard(
    live: Live, screen: Page
) -> None:
    reference = live.raised(_case(screen, 810080)).reference
    live.service.act(reference, "jo", "respond", note="Spoke to the child's grandmother.")
    responded = live.service.trail(reference)[-1].seq
    _start(screen, live, "dana")
    keyed_follow(screen, "a[href='/records/text']")
    screen.wait_for_url(live.url + "/records/text")
    _checked(screen)
    tab_until(screen, "#reference")
    screen.keyboard.type(reference)
    tab_until(screen, "#entry")
    screen.keyboard.type("three")
    tab_until(screen, "#reason")
    screen.keyboard.type("Names a relative")
    with screen.expect_navigation():  # the page the post returns, loaded whole
        keyed_follow(screen, "form[action='/records/text'] button")
    summary = screen.locator(".govuk-error-summary a[href='#entry']")
    assert "Entry numbers are whole numbers" in summary.inner_text()
    assert screen.locator("#reference").input_value() == reference  # kept, to correct
    _checked(screen)
    tab_until(screen, "#entry")
    screen.keyboard.press("ControlOrMeta+a")
    screen.keyboard.type(str(responded))
    keyed_follow(screen, "form[action='/records/text'] button")
    screen.wait_for_url(
        "**/records/text?done=redact*"
    )  # a page of its own: a reload records nothing
    said = screen.inner_text(".govuk-panel")
    assert f"Redacted the note of entry {responded} of {reference}" in said
    assert {row.seq: row.note for row in live.service.trail(reference)}[responded] == "[redacted]"
    _checked(screen)
    tab_until(screen, "#act-redact")
    screen.keyboard.press("ArrowDown")
    assert screen.locator("#act-correct").is_checked()
    tab_until(screen, "#reference")
    screen.keyboard.type(reference)
    tab_until(screen, "#entry")
    screen.keyboard.type(str(live.service.trail(reference)[0].seq))
    tab_until(screen, "#text")
    screen.keyboard.type("No permanence plan at the second review")
    tab_until(screen, "#reason")
    screen.keyboard.type("Clearer wording")
    keyed_follow(screen, "form[action='/records/text'] button")
    screen.wait_for_url("**/records/text?done=correct*")
    assert "Corrected the note of entry" in screen.inner_text(".govuk-panel")
    assert live.service.get(reference).summary == "No permanence plan at the second review"
    assert live.service.verify_all().ok


def test_only_the_data_protection_officer_redacts(live: Live, screen: Page) -> None:
    _start(screen, live, "priya")
    assert screen.locator("a[href='/records/text']").count() == 0
    screen.goto(live.url + "/records/text")
    assert "data protection officer" in screen.inner_text(".govuk-error-summary")
    _checked(screen)
