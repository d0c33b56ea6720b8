"""The USSD conversation (Africa's Talking callback convention, shared/facts/channels.md).

The aggregator sends every input of the session so far, joined by `*`; the screen is
recomputed from them each time, so a step delivered twice gives the same screen. A wrong
input re-prompts the same step with a short error. Nothing is stored before the last step,
and the last step stores the rating once per session (its client id comes from the session
id), so a redelivered last step answers the same thanks and counts once.

Main menu: 1 rate a visit, 2 switch language. Rate: the feedback code of the ticket (0 = no
ticket: region, then site), the rating 1–5, then two yes/no follow-ups.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from teranga.lib.errors import ServiceError
from teranga.listening import services
from teranga.listening.models import Channel
from teranga.network.models import Region, Site
from teranga.network.selectors import alphabetical
from teranga.reception.models import Ticket

SCREEN_MAX = 182
MORE = "0"


@dataclass
class State:
    language: str = "fr"
    step: str = "menu"
    error: str = ""
    page: int = 0
    ticket: Ticket | None = None
    region: Region | None = None
    site: Site | None = None
    answers: list[int] = field(default_factory=list)


# Room kept on a list screen for its title, an error line and the "more" line.
LIST_RESERVE = 70


def _pages(items: list[str]) -> list[list[int]]:
    """Split numbered items into screens that fit beside a title and an error line."""
    pages, current, used = [], [], 0
    for index, label in enumerate(items):
        line = len(f"\n{index + 1} {label}")
        if current and used + line > SCREEN_MAX - LIST_RESERVE:
            pages.append(current)
            current, used = [], 0
        current.append(index)
        used += line
    pages.append(current)
    return pages


def _list_screen(title: str, items: list[str], page: int) -> str:
    pages = _pages(items)
    shown = pages[min(page, len(pages) - 1)]
    body = title + "".join(f"\n{i + 1} {items[i]}" for i in shown)
    if page < len(pages) - 1:
        body += f"\n{MORE} " + _("More")
    return body


def _regions() -> list[Region]:
    return sorted(Region.objects.all(), key=lambda r: alphabetical(r.name))


def _sites(region: Region) -> list[Site]:
    sites = Site.objects.filter(department__region=region).select_related("department")
    return sorted(sites, key=lambda s: alphabetical(s.department.name))


def _pick(raw: str, count: int) -> int | None:
    if raw.isdigit() and 1 <= int(raw) <= count:
        return int(raw) - 1
    return None


def _advance(state: State, raw: str, session_client_id) -> None:
    """Apply one input to the state; a wrong one sets state.error and keeps the step."""
    state.error = ""
    if state.step == "menu":
        if raw == "1":
            state.step = "code"
        elif raw == "2":
            state.language = "wo" if state.language == "fr" else "fr"
        else:
            state.error = "choice"
    elif state.step == "code":
        if raw == "0":
            state.step, state.page = "region", 0
            return
        ticket = services.ticket_by_feedback_code(raw)
        if ticket is None:
            state.error = "code"
        elif not services.ticket_served(ticket):
            state.error = "not_served"
        elif services.ticket_rated(ticket, except_client_id=session_client_id):
            state.error = "rated"
        else:
            state.ticket, state.site, state.step = ticket, ticket.site, "rating"
    elif state.step in ("region", "site"):
        choices = _regions() if state.step == "region" else _sites(state.region)
        labels = [c.name if state.step == "region" else c.department.name for c in choices]
        pages = _pages(labels)
        if raw == MORE and state.page < len(pages) - 1:
            state.page += 1
            return
        picked = _pick(raw, len(choices))
        if picked is None:
            state.error = "choice"
        elif state.step == "region":
            state.region, state.step, state.page = choices[picked], "site", 0
        else:
            state.site, state.step = choices[picked], "rating"
    elif state.step == "rating":
        if raw in ("1", "2", "3", "4", "5"):
            state.answers, state.step = [int(raw)], "wait"
        else:
            state.error = "rating"
    elif state.step in ("wait", "resolved"):
        if raw in ("1", "2"):
            state.answers.append(raw == "1")
            state.step = "resolved" if state.step == "wait" else "done"
        else:
            state.error = "choice"


ERRORS = {
    "choice": lambda: _("Invalid choice."),
    "code": lambda: _("Unknown code."),
    "rated": lambda: _("This visit has already been rated."),
    "not_served": lambda: str(services.NOT_SERVED),
    "rating": lambda: _("Type a number from 1 to 5."),
}


def _screen(state: State) -> str:
    lead = (ERRORS[state.error]() + "\n") if state.error else ""
    if state.step == "menu":
        other = "Wolof" if state.language == "fr" else "Français"
        return lead + _("Espaces Sénégal Services") + "\n1 " + _("Rate a visit") + f"\n2 {other}"
    if state.step == "code":
        return lead + _("Type the feedback code printed on your ticket (0 if you have no ticket):")
    if state.step == "region":
        names = [region.name for region in _regions()]
        return _list_screen(lead + _("Your region:"), names, state.page)
    if state.step == "site":
        names = [site.department.name for site in _sites(state.region)]
        return _list_screen(lead + _("Your Espace Sénégal Services:"), names, state.page)
    if state.step == "rating":
        return lead + _(
            "Your rating of the visit:\n1 Very unhappy\n2 Unhappy\n3 Neither\n4 Happy\n5 Very happy"
        )
    if state.step == "wait":
        return lead + _("Was the wait acceptable?\n1 Yes\n2 No")
    return lead + _("Did you get what you came for?\n1 Yes\n2 No")


def ussd_reply(*, session_id: str, phone: str, text: str) -> str:
    """The reply to one step: 'CON <screen>' to go on, 'END <screen>' to close."""
    client_id = services.client_id_for("ussd", session_id)
    inputs = [part.strip() for part in text.split("*")] if text else []
    state = State()
    for raw in inputs:
        with translation.override(state.language):
            _advance(state, raw, client_id)
        if state.step == "done":
            break
    with translation.override(state.language):
        if state.step != "done":
            return "CON " + _screen(state)[:SCREEN_MAX]
        rating, wait_ok, resolved = state.answers
        try:
            services.response_record(
                site=state.site,
                channel=Channel.USSD,
                rating=rating,
                client_id=client_id,
                ticket=state.ticket,
                wait_ok=wait_ok,
                resolved=resolved,
                language=state.language,
                phone_hash=services.phone_digest(phone) if phone else "",
            )
        except ServiceError as exc:
            return "END " + exc.message[:SCREEN_MAX]
        return "END " + _("Thank you! Your opinion helps improve the service.")
