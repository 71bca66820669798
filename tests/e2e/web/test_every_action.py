"""Every action of every shipped workflow, taken on the desk by the person whose job it is, with
the keyboard alone: Tab to the action, open it, Tab through its fields (typed, chosen with the
arrow keys, ticked with the space bar), send it with Enter, and land on the escalation saying
it was done, with the page passing the accessibility check; each at a desk's screen and again
on a phone's, where nothing may scroll sideways.

The case for each action is set up through the service (raised, answered or closed first where
the action needs it), and who takes it is whoever the engine's own dry run lets: the desk must
offer that person the form, with every field the action asks for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.machine import machine_for
from escalation_engine.errors import EscalationError
from escalation_engine.spec.model import OUTCOMES
from tests.support import shipped
from tests.support.browser import PHONE, accessible, sign_in, tab_until
from tests.support.databases import database
from tests.support.server import PASSWORD, Live, service_folder, serving
from tests.support.shipped import ROOT

pytestmark = pytest.mark.slow

ALERT = {"dispute_resolution": "practice_alert", "case_alert": "case_alert",
         "rag_rating": "rag_concern", "professional_concern": "concern"}  # fmt: skip
RAISER = {"professional_concern": "sam"}
#: Everyone who might take an action, the people a council's desk serves.
PEOPLE = ("aisha", "tom", "priya", "sam", "ellie", "jo", "dev", "mark", "helen", "ruth", "david",
          "amir")  # fmt: skip
#: Actions taken on an escalation that has been answered, and on one that has been closed.
AFTER_ANSWER = {"accept", "reject"}
AFTER_CLOSING = {"reopen"}


def _cases() -> list[tuple[str, str]]:
    cases = []
    for name, spec in sorted(shipped.workflows().items()):
        machine = machine_for(spec)
        offered = {a for stage in [*spec.stage_names, *OUTCOMES] for a in _allowed(machine, stage)}
        cases += [(name, action) for action in sorted(offered)]
    return cases


def _allowed(machine: Any, stage: str) -> list[str]:
    try:
        return list(machine.allowed_actions(stage))
    except EscalationError:
        return []


CASES = _cases()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("every-action")
    with database("sqlite", path) as url, serving(service_folder(path, url)) as running:
        for username in ("sam", "ellie", "dev", "helen", "ruth", "david"):
            running.service.accounts.add_account("priya", username, PASSWORD)
        yield running


@pytest.fixture(scope="module")
def desks(browser: Browser, live: Live) -> Iterator[dict[str, tuple[BrowserContext, Page]]]:
    """A signed-in browser for each person, made the first time they are needed."""
    opened: dict[str, tuple[BrowserContext, Page]] = {}
    yield opened
    for context, _ in opened.values():
        context.close()


def _desk(desks: dict[str, tuple[BrowserContext, Page]], browser: Browser, username: str,
          address: str) -> Page:  # fmt: skip
    """``username``'s browser at ``address``, signed in on the way the first time."""
    if username in desks:
        page = desks[username][1]
        page.goto(address)
        return page
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(address)
    sign_in(page, username)
    page.wait_for_url(address)
    desks[username] = (context, page)
    return page


def _raised(live: Live, workflow: str) -> Escalation:
    service = live.service
    fields: dict[str, Any] = {}
    if workflow == "case_alert":
        fields["dates"] = {"review_date": service.calendar.local_day(service.clock.now())}
    return service.raise_alert(
        username=RAISER.get(workflow, "aisha"), workflow=workflow, alert_type=ALERT[workflow],
        case_refs=["CLA-700100"], category="drift_and_delay", team="north",
        summary="No permanence plan four months after the second review.", **fields,
    )  # fmt: skip


def _values(live: Live, esc: Escalation, action: str) -> dict[str, Any]:
    """What the person types or chooses in each of the action's fields."""
    spec = live.service.workflow(esc.workflow)
    today = live.service.calendar.local_day(live.service.clock.now())
    later = (esc.stage_due_at.date() if esc.stage_due_at else today) + timedelta(days=14)
    targets = machine_for(spec).targets(esc.stage, action)
    ratings = [r.name for r in spec.rag.ratings] if spec.rag else []
    return {
        "bypass": {"target": targets[-1] if targets else None, "consulted": "priya"},
        "extend": {"until": later},
        "rate": {"target": next((r for r in ratings if r != esc.rag), None)},
        # Another IRO takes an IRO's alert over; another professional a professional's concern.
        "reallocate": {"target": "ellie" if esc.raised_by == "sam" else "tom"},
        "meeting": {"held_on": today, "attendees": ["iro"], "outcome": "Plan agreed by all."},
    }.get(action, {})


def _prepared(live: Live, workflow: str, action: str) -> tuple[Escalation, str]:
    """An escalation on which ``action`` can be taken now, and who takes it."""
    service = live.service
    esc = _raised(live, workflow)
    raiser = esc.raised_by
    if action in AFTER_ANSWER:
        esc = _by_whoever(live, esc, "respond", {})[0]
    if action in AFTER_CLOSING:
        esc = service.act(esc.reference, raiser, "withdraw", note="Set up to be reopened.")
    _, who = _by_whoever(live, esc, action, _values(live, esc, action), dry_run=True)
    return service.get(esc.reference), who


def _by_whoever(live: Live, esc: Escalation, action: str, values: dict[str, Any],
                dry_run: bool = False) -> tuple[Escalation, str]:  # fmt: skip
    """``action`` taken (or tried, with ``dry_run``) by the first person the engine lets."""
    refused = []
    for username in PEOPLE:
        try:
            done = live.service.act(esc.reference, username, action, note="Set up.",
                                    dry_run=dry_run, **values)  # fmt: skip
        except EscalationError as exc:
            refused.append(f"{username}: {exc}")
            continue
        return done, username
    raise AssertionError(f"nobody may {action} {esc.reference}: {refused}")


def _fill(page: Page, action: str, values: dict[str, Any]) -> None:
    """Each field of the action's form, from the keyboard, in the order Tab reaches them."""
    form = page.locator(f"form[action$='/actions/{action}']")
    for control in form.locator("input:not([type=hidden]), select, textarea").all():
        name, ident = control.get_attribute("name") or "", control.get_attribute("id") or ""
        wanted = values.get(name)
        kind = control.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind == "input:checkbox":
            if wanted is not None and control.get_attribute("value") in wanted:
                tab_until(page, f"#{ident}")
                page.keyboard.press("Space")
            continue
        if kind.startswith("select"):
            options = control.locator("option").evaluate_all("os => os.map(o => o.value)")
            if wanted is None:
                continue
            tab_until(page, f"#{ident}")
            page.keyboard.press("Home")
            for _ in range(options.index(str(wanted))):
                page.keyboard.press("ArrowDown")
            continue
        text = "Done at the desk with the keyboard alone." if name == "note" else wanted
        if text is None:
            continue
        tab_until(page, f"#{ident}")
        page.keyboard.type(text.isoformat() if isinstance(text, date) else str(text))


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize(("workflow", "action"), CASES, ids=[f"{w}-{a}" for w, a in CASES])
def test_each_action_is_taken_on_the_desk_with_the_keyboard_by_whoever_it_falls_to(
    live: Live, browser: Browser, desks: dict[str, tuple[BrowserContext, Page]],
    workflow: str, action: str, width: str,
) -> None:  # fmt: skip
    esc, who = _prepared(live, workflow, action)
    values = _values(live, esc, action)
    address = f"{live.url}/escalations/{esc.reference}"
    page = _desk(desks, browser, who, address)
    phone = width == "phone"
    page.set_viewport_size(PHONE if phone else {"width": 1280, "height": 900})
    form = f"form[action$='/actions/{action}']"
    details = f"details:has({form})"
    assert page.locator(form).count() == 1, f"{who} is not offered {action} on the desk"
    if not page.locator(details).evaluate("d => d.open"):
        tab_until(page, f"{details} > summary")
        page.keyboard.press("Enter")
    _fill(page, action, values)
    tab_until(page, f"{form} button[type=submit]")
    page.keyboard.press("Enter")
    try:
        page.wait_for_url(f"{address}?done={action}", timeout=15_000)
    except PlaywrightTimeout:
        problem = page.locator(".govuk-error-summary")
        said = problem.inner_text() if problem.count() else page.url
        raise AssertionError(f"{who} could not {action} on the desk: {said}") from None
    assert live.service.trail(esc.reference)[-1].action == action
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    accessible(page)
    artefacts = ROOT / "test-artefacts"
    artefacts.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(artefacts) / f"every-action-{workflow}-{action}-{width}.png"))
