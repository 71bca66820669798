"""The managers' desk in a real browser: ``escalate serve`` started on loopback, Debian's Chromium
under Playwright, local accounts. Every page is checked with axe-core (npm) run inside it, and a
screenshot of each test's last page is kept in test-artefacts/."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, Page

from escalation_engine.app import operations
from escalation_engine.web.base import SESSION_COOKIE
from tests.support.browser import accessible, open_as, sign_in, tab_until
from tests.support.cli import run
from tests.support.databases import database
from tests.support.server import PASSWORD, Live, as_client, service_folder, serving

pytestmark = pytest.mark.slow

#: A team manager of another team, who must not see north's escalations.
KIM = "  - {username: kim, name: Kim Lee, roles: [team_manager], team: south, email: kim.lee@example.org, manager: mark}\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("desk")
    with database("sqlite", path) as url:
        folder = service_folder(path, url)
        config = folder / "config.yaml"
        text = config.read_text()
        amir = next(line for line in text.splitlines(keepends=True) if "username: amir" in line)
        config.write_text(text.replace(amir, amir + KIM))
        with serving(folder) as running:
            running.service.accounts.add_account("priya", "kim", PASSWORD)
            yield running


def raised(live: Live, tmp_path: Path, case: str) -> str:
    home = live.client(tmp_path / f"iro-{case}", "aisha")
    result = as_client(
        home, "raise", "--type", "practice_alert", "--case", case, "--category",
        "drift_and_delay", "--team", "north", "--summary", "No permanence plan.", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["reference"])


def act(page: Page, action: str, note: str) -> None:
    details = page.locator("details", has=page.locator("summary", has_text=action))
    if not details.evaluate("d => d.open"):  # a stage's only action comes open
        details.locator("summary").click()
    form = page.locator(f"form[action$='/actions/{action.lower().replace(' ', '_')}']")
    form.get_by_label("Note").fill(note)
    form.get_by_role("button", name=action).click()


def test_a_wrong_password_keeps_where_the_email_link_was_going(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-510009")
    page.goto(f"{live.url}/escalations/{reference}")  # the link in the email
    page.wait_for_url(re.compile(r".*/sign-in\?next=.*"))
    page.get_by_label("Username").fill("jo")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
    sign_in(page, "jo")  # the second try, right
    page.wait_for_url(f"{live.url}/escalations/{reference}")
    assert reference in page.inner_text("main")


def test_a_manager_follows_the_link_signs_in_responds_and_the_iro_rejects(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-510001")
    page.goto(f"{live.url}/escalations/{reference}")  # the link in the email
    page.wait_for_url(re.compile(r".*/sign-in\?next=.*"))
    sign_in(page, "jo")
    page.wait_for_url(f"{live.url}/escalations/{reference}")
    assert "Signed in as Jo Bennett (jo)" in page.inner_text("nav")
    assert "Stage 1: team manager" in page.inner_text("main")
    accessible(page)
    act(page, "Respond", "Permanence planning meeting booked for Friday.")
    assert "responded" in page.inner_text(".govuk-notification-banner")
    accessible(page)
    page.goto(live.url + "/inbox")
    accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/sign-in.*"))

    open_as(page, live.url + "/inbox", "aisha")
    row = page.locator("tr", has_text=reference)
    assert "Response to judge" in row.inner_text()
    accessible(page)
    row.get_by_role("link", name=reference).click()
    act(page, "Reject", "No date for the permanence panel.")
    assert live.service.get(reference).stage == "service_manager"
    assert "Stage 2: service manager" in page.inner_text("main")
    current = page.locator(".desk-ladder [aria-current=step]")
    assert "Stage 2: service manager" in current.inner_text()
    assert "rejected the response" in page.inner_text("main")  # on the timeline
    accessible(page)


def test_a_manager_of_another_team_is_refused_and_changes_nothing(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-510002")
    before = live.service.get(reference).version
    open_as(page, f"{live.url}/escalations/{reference}", "kim")
    assert "There is a problem" in page.inner_text("main")
    assert "that you may see" in page.inner_text("main")
    accessible(page)
    page.goto(live.url + "/inbox")
    assert reference not in page.inner_text("main")
    assert live.service.get(reference).version == before


def test_an_auditor_watches_an_escalation_from_its_page_and_it_is_in_their_inbox(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-510003")
    open_as(page, f"{live.url}/escalations/{reference}", "amir")
    page.get_by_role("button", name="Watch this escalation").click()
    assert "You are watching it" in page.inner_text(".govuk-notification-banner")
    assert page.get_by_role("button", name="Stop watching").is_visible()
    accessible(page)
    page.goto(live.url + "/inbox")
    watched = page.locator("table", has=page.locator("caption", has_text="What you watch"))
    assert reference in watched.inner_text()
    accessible(page)
    watched.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Stop watching").click()
    assert "You no longer watch it" in page.inner_text(".govuk-notification-banner")
    page.goto(live.url + "/inbox")
    assert reference not in page.inner_text("main")
    assert not live.service.watching.is_watching("amir", reference)


def test_a_long_inbox_list_is_paged_and_each_page_passes_the_check(live: Live, page: Page) -> None:
    # South's manager has one more waiting than the inbox shows of a list at once.
    for n in range(21):
        live.service.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=[f"CLA-52{n:04d}"], category="placement", team="south",
            summary="Placement move not discussed at review.",
        )  # fmt: skip
    open_as(page, live.url + "/inbox", "kim")
    waiting = page.locator("table", has=page.locator("caption", has_text="Waiting for you"))
    assert waiting.locator("tbody tr").count() == 20
    page.get_by_role("link", name="1 more with later deadlines").click()
    page.wait_for_url(live.url + "/inbox?list=waiting&page=2")
    assert "21 in all; page 2 of 2." in page.inner_text("main")
    assert page.locator("main tbody tr").count() == 1
    accessible(page)
    page.get_by_role("link", name="Previous page").click()
    assert page.locator("main tbody tr").count() == 20
    accessible(page)
    page.goto(live.url + "/inbox?list=everything")
    assert "list must be one of waiting, answered, raised, watching" in page.inner_text("main")


def test_a_stale_form_is_refused_with_what_the_escalation_is_now(
    live: Live, browser: Browser, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-510003")
    open_as(page, f"{live.url}/escalations/{reference}", "jo")
    other = browser.new_context().new_page()
    other.goto(f"{live.url}/escalations/{reference}")
    sign_in_plain(other, "jo")
    act(other, "Respond", "Answered from the other window.")
    other.context.close()
    act(page, "Respond", "Answered again from a page left open.")
    assert "changed while you were looking at it" in page.inner_text(".govuk-error-summary")
    assert [e.action for e in live.service.trail(reference)].count("respond") == 1
    accessible(page)


def sign_in_plain(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_desk_can_be_used_with_the_keyboard_alone(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-510004")
    page.goto(f"{live.url}/escalations/{reference}")

    def tab_to(selector: str) -> None:
        tab_until(page, selector)

    tab_to("#username")
    page.keyboard.type("jo")
    tab_to("#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/escalations/{reference}")
    tab_to("summary")  # the first action: Respond
    if not page.evaluate("document.activeElement.parentElement.open"):
        page.keyboard.press("Enter")
    tab_to("#respond-note")
    page.keyboard.type("Answered with the keyboard alone.")
    tab_to("form[action$='/actions/respond'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-notification-banner")
    assert live.service.get(reference).status == "responded"


def test_forms_without_the_pages_token_are_refused(live: Live, tmp_path: Path) -> None:
    """A page on another site can make a signed-in browser post, but cannot read the token."""
    reference = raised(live, tmp_path, "CLA-510005")
    # httpx keeps Secure cookies for HTTPS only (a browser counts loopback as secure), so the
    # cookies are carried by hand, as a browser would carry them.
    with httpx.Client(base_url=live.url, timeout=30) as browser:
        form = browser.get("/sign-in")
        pre = _cookie(form, "escalate_form")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed = browser.post(
            "/sign-in", headers={"cookie": f"escalate_form={pre}"},
            data={"csrf_token": token.group(1), "username": "jo", "password": PASSWORD,
                  "next": "/inbox"},
        )  # fmt: skip
        assert signed.status_code == 303, signed.text
        cookie = signed.headers["set-cookie"]
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        session = {"cookie": f"escalate_session={_cookie(signed, 'escalate_session')}"}
        assert "Waiting for you" in browser.get("/inbox", headers=session).text
        forged = browser.post(f"/escalations/{reference}/actions/respond", headers=session,
                              data={"note": "Forged.", "csrf_token": "guess"})  # fmt: skip
        assert forged.status_code == 403
        assert "did not come from this service" in forged.text
        offsite = browser.post("/sign-in", data={"username": "jo", "password": PASSWORD})
        assert offsite.status_code == 403
    assert live.service.get(reference).status != "responded"
    assert run(live.folder, "audit", "verify", user=None).returncode == 0


def _cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key == name:
            return rest.split(";")[0]
    raise AssertionError(f"no {name} cookie set")


def test_an_iro_raises_an_alert_in_the_browser_and_a_name_for_a_reference_is_refused(
    live: Live, page: Page
) -> None:
    open_as(page, live.url + "/raise", "aisha")
    accessible(page)
    before = len(live.service.all())
    page.get_by_label("What kind of alert").select_option("dispute_resolution:practice_alert")
    page.get_by_label("Child's case reference").fill("Jane Smith")
    page.get_by_label("The child's team").select_option("north")
    page.get_by_label("What is the concern?").fill("No permanence plan.")
    page.get_by_role("button", name="Raise the alert").click()
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
    assert page.get_by_label("What is the concern?").input_value() == "No permanence plan."
    assert len(live.service.all()) == before
    accessible(page)
    page.get_by_label("Child's case reference").fill("CLA-520001")
    page.get_by_role("button", name="Raise the alert").click()
    page.wait_for_url(re.compile(r".*/escalations/ESC-\d{4}-\d{4}\?raised=1"))
    assert "Raised ESC-" in page.inner_text(".govuk-notification-banner")
    assert len(live.service.all()) == before + 1
    assert "CLA-520001" in page.inner_text("main")
    accessible(page)


def test_the_iro_manager_searches_the_trail_and_downloads_it_as_csv(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-530001")
    open_as(page, live.url + "/trail", "priya")
    page.get_by_label("Child's case reference").fill("CLA-530001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/trail\?.*child=CLA-530001.*"))
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert reference in rows.first.inner_text()
    accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all of it as CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("seq,at,reference,case_refs")
    assert len(lines) == 2
    assert reference in lines[1]
    page.goto(live.url + "/trail?child=Jane+Smith")
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
    accessible(page)


def test_the_trails_csv_holds_every_entry_once_past_its_first_page(live: Live) -> None:
    # The download reads the trail a page (operations.PAGE entries) at a time: the pages after
    # the first follow on, none repeated or left out, and the heading comes once.
    service = live.service
    for n in range(operations.PAGE + 1):  # raising writes one entry
        service.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=[f"CLA-{700000 + n}"], category="permanence", team="north",
            summary="Plan drifted.",
        )  # fmt: skip
    token, _ = service.sessions.start_session("priya", "password")
    answer = httpx.get(
        live.url + "/trail.csv", cookies={SESSION_COOKIE: token}, timeout=120
    )  # fmt: skip
    assert answer.status_code == 200
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[0][:3] == ["seq", "at", "reference"]
    sequence = [int(line[0]) for line in lines[1:]]
    assert sequence == [entry.seq for entry in service.trail()]
    assert len(sequence) > operations.PAGE


def test_the_iro_manager_reads_the_years_report_with_its_charts_and_the_escalations_behind_it(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-540001")
    open_as(page, live.url + "/report?year=2026-27", "priya")
    assert "2026-27" in page.inner_text("main")
    images = page.locator("figure img")
    assert images.count() >= 3
    for n in range(images.count()):
        assert images.nth(n).evaluate("i => i.complete && i.naturalWidth > 0")
    accessible(page)
    glance = page.get_by_role("heading", name="The period at a glance")
    assert glance.is_visible()
    page.get_by_role(
        "link",
        name=re.compile(
            r"Escalations behind this\s*sentence: [0-9,]+ escalations? (was|were) raised"
        ),
    ).click()
    page.wait_for_url(re.compile(r".*/report/explain\?.*figure=summary\.raised\.this.*"))
    assert reference in page.inner_text("main")
    page.go_back()
    raised_this = page.locator("#summary tbody tr").first.locator("a").first
    raised_this.click()
    page.wait_for_url(re.compile(r".*/report/explain\?.*figure=summary\..*"))
    assert reference in page.inner_text("main")
    accessible(page)
    with page.expect_download() as download:
        page.goto(live.url + "/report?year=2026-27")
        page.get_by_role("link", name="spreadsheet (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(book.sheetnames) > 3


def test_the_report_is_refused_to_a_team_manager(live: Live, page: Page) -> None:
    page.goto(live.url + "/report")
    sign_in(page, "jo")
    page.wait_for_url(re.compile(r".*/report$"))
    assert "may not" in page.inner_text(".govuk-error-summary")
    accessible(page)


def test_an_auditor_reviews_the_access_log_and_verifies_the_trail(
    live: Live, page: Page, tmp_path: Path
) -> None:
    reference = raised(live, tmp_path, "CLA-550001")
    open_as(page, f"{live.url}/escalations/{reference}", "jo")  # a look the log must show
    page.get_by_role("button", name="Sign out").click()
    open_as(page, live.url + "/oversight", "amir")
    assert "Next deadline" in page.inner_text("main")  # the worker's status
    page.get_by_label("Escalation", exact=True).fill(reference)
    page.get_by_role("button", name="Filter the log").click()
    log = page.locator("tbody").inner_text()
    assert "Jo Bennett" in log
    assert "Opened its page" in log
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the log as filtered").click()
    rows = list(csv.DictReader(io.StringIO(Path(downloading.value.path()).read_text())))
    assert {(r["viewer"], r["reference"], r["view"]) for r in rows} >= {("jo", reference, "show")}
    accessible(page)
    page.get_by_role("button", name="Verify the audit trail").click()
    assert "Audit trail verified" in page.inner_text("main")
    accessible(page)


def test_the_iro_manager_sees_oversight_without_the_auditors_access_log(
    live: Live, page: Page
) -> None:
    open_as(page, live.url + "/oversight", "priya")
    main = page.inner_text("main")
    assert "Next deadline" in main  # the worker's status
    assert "kept for the auditors" in main
    assert page.get_by_role("button", name="Filter the log").count() == 0
    accessible(page)
    page.get_by_role("button", name="Verify the audit trail").click()
    assert "Audit trail verified" in page.inner_text("main")


def test_oversight_is_refused_to_a_team_manager(live: Live, page: Page) -> None:
    page.goto(live.url + "/oversight")
    sign_in(page, "jo")
    page.wait_for_url(re.compile(r".*/oversight$"))
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
