"""The rating tablet in a real browser: paired once, a face and its questions reach the
database; with the network cut, answers wait on the device (the page even reloads from the
service worker's copy) and arrive exactly once when the link returns."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from teranga.listening.models import Response
from teranga.network.models import Device, Site
from teranga.network.services import device_create
from tests.factories import SiteFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def wait_for_rows(count: int, timeout: float = 45) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = Response.objects.count()
        if n >= count:
            return n
        time.sleep(0.25)
    return Response.objects.count()


def wait_for_service_worker(page, timeout: float = 15) -> None:
    # Polled from here: page.wait_for_function would evaluate a string in the page, which
    # the strict CSP refuses (no 'unsafe-eval') whenever the first check is not yet true.
    deadline = time.monotonic() + timeout
    while not page.evaluate(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    ):
        assert time.monotonic() < deadline, "the service worker never took control"
        time.sleep(0.1)


def rate(page, rating: int, answers=()):
    page.locator("#screen-rate").wait_for()
    page.click(f'button.face[data-rating="{rating}"]')
    page.locator("#screen-follow").wait_for()
    for answer in answers:
        page.click(f'button.answer[data-answer="{answer}"]')
    if len(answers) < 3:
        page.click("#follow-skip")
    page.locator("#screen-thanks").wait_for()
    # The thanks give way to the faces by themselves.
    page.locator("#screen-rate").wait_for(timeout=10_000)


def test_the_tablet_keeps_answers_offline_and_sends_each_once(browser, live_server, settings):
    settings.FEEDBACK_TABLET_MIN_INTERVAL_SECONDS = 1
    site = SiteFactory(code="DKR", name="Espace Sénégal Services de Dakar", with_hours=True)
    device, token = device_create(site=site, kind=Device.Kind.TABLET)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"/avis/DKR/tablette/#token={token}")
    page.locator("#screen-rate").wait_for()
    assert "#token" not in page.url  # the token does not linger in the address bar
    wait_for_service_worker(page)
    assert serious(page) == []

    rate(page, 4, answers=("yes", "no", "yes"))
    assert wait_for_rows(1) == 1
    row = Response.objects.get()
    assert (row.rating, row.channel, row.device_id, row.site_id) == (
        4,
        "tablet",
        device.pk,
        site.pk,
    )
    assert (row.wait_ok, row.courteous, row.resolved) == (True, False, True)
    assert row.language == "fr"

    # Wolof on screen, and the face after it goes in with the language chosen.
    page.click('.t-langs button[data-lang="wo"]')
    assert page.locator("html").get_attribute("lang") == "wo"
    assert page.locator("#rate-title").inner_text() == "Naka la sa ñëw bi demee tey ?"
    assert serious(page) == []

    context.set_offline(True)
    rate(page, 2)
    rate(page, 5, answers=("yes",))
    pending = page.locator("#pending")
    assert pending.is_visible() and pending.get_attribute("data-count") == "2"
    assert "2" in pending.inner_text()
    time.sleep(1)
    assert Response.objects.count() == 1

    # Offline, a reload is answered by the service worker's copy (the renamed site proves
    # that the page did not come from the server), and the queue is still there.
    Site.objects.filter(pk=site.pk).update(name="Renamed meanwhile")
    page.reload()
    page.locator("#screen-rate").wait_for()
    assert "Espace Sénégal Services de Dakar" in page.locator("h1").inner_text()
    assert page.locator("#pending").get_attribute("data-count") == "2"

    context.set_offline(False)
    assert wait_for_rows(3) == 3
    page.locator("#pending").wait_for(state="hidden", timeout=15_000)
    time.sleep(2)  # any replay would land now: there is none
    rows = list(Response.objects.order_by("answered_at"))
    assert [r.rating for r in rows] == [4, 2, 5]
    assert [r.language for r in rows] == ["fr", "wo", "fr"]  # back to French after each answer
    assert rows[2].wait_ok is True and rows[1].wait_ok is None
    assert rows[1].answered_at < rows[2].answered_at  # the time of the tap, not of the sending
    context.close()


def test_presses_inside_the_minimum_interval_are_ignored(browser, live_server, settings):
    settings.FEEDBACK_TABLET_MIN_INTERVAL_SECONDS = 60
    site = SiteFactory(code="THS", name="Espace Sénégal Services de Thiès")
    _, token = device_create(site=site, kind=Device.Kind.TABLET)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 800, "height": 1280})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"/avis/THS/tablette/#token={token}")
    page.click('button.face[data-rating="3"]')
    page.locator("#screen-follow").wait_for()
    assert serious(page) == []  # the questions, too
    page.click("#follow-skip")
    page.locator("#screen-rate").wait_for(timeout=10_000)
    assert wait_for_rows(1) == 1

    page.click('button.face[data-rating="1"]')  # within the minute: button mashing
    time.sleep(1)
    assert page.locator("#screen-rate").is_visible()
    assert page.locator("#screen-follow").is_hidden()
    assert Response.objects.count() == 1
    context.close()
