"""Synthetic history for demos and benchmarks: tickets, ratings and cases of past days.

`history_generate(days=N)` fills the N days before today (never today: it belongs to the live
demo and the real kiosks) at every selected site, as the network would have lived them:

- **Arrivals.** Only on the days a site opens (its OpeningHours, minus the public holidays and
  the administrators' overrides of the working calendar). Bigger sites are busier (more
  counters, higher use in the Dakar region and the regional capitals); Monday is the busiest
  weekday, Friday the quietest; month ends and the first days of a month (salaries, bills),
  the twelve days before Tabaski and the day after a holiday are peaks; a slow growth year on
  year, a little noise and rare disrupted days. Within a day, a morning peak and a lunch lull.
- **Waits** behave like a queue: the busier the day for the site's counters, the longer the
  wait, longer still in the mid-morning congestion; some sites are better run than others
  (and the pilots improve through 2025). Priority tickets wait less. Waits that would run past
  closing leave the ticket expired (never called); long waits make more no-shows.
- **Service times** per procedure (each its own mean, lognormal spread).
- **Ratings** (listening.Response) for 15–30 % of the served tickets, channels mixed, lower
  after long waits.
- **Cases**: complaints (more on bad-wait days), suggestions, compliments, and tracked
  requests for procedures with an announced deadline, with due dates in working days as the
  service computes them; most answered or completed on time, some late, the recent ones still
  open. References follow CaseSequence, which ends consistent: the next real case gets the
  next free number.

No personal data: phones, names, e-mails and comments are empty. Ticket events (TicketEvent)
are not written: the history needs only the tickets' own timestamps, which every figure reads.
Case events are (filed, answered, status changes), so that a case's page tells its story.

**Deterministic**: the rows of one (site, day) depend only on the seed, the site and the day
(and the site's counters, procedures and hours), so the same seed and arguments give the same
rows, UUIDs and codes included (derived from the seed, never uuid4). Client and public ids are
"version 8" UUIDs whose first half is the day, site, letter and rank of the ticket: unique by
construction, never equal to a random (version 4) id, and appended in order to their indexes.

**Streams**: a few days at a time (one transaction each), in bounded memory; (site, day) pairs
that already have tickets are skipped, so running it again adds nothing and resuming after an
interruption completes the missing days.

**Fast**: the per-ticket work is one INSERT … SELECT per chunk, joining small lookup tables
computed in Python (one row per site, day, opening slot and letter with its count, mean wait,
counters and numbering; per-site procedure draws; 65,536 rows of seeded random draws; the
intraday arrival and congestion curves) with integer arithmetic only, so SQLite and
PostgreSQL compute the same values. Rows of one (site, day, letter) are inserted together, in
number order, so every index of the ticket table grows at a few points instead of at random.
On SQLite the load's connection runs with synchronous writes and foreign-key checks off and a
large page cache (restored afterwards); the values joined come from the database itself.

Local time is Africa/Dakar, UTC+0 all year: a local second of the day is a UTC one.
"""

import bisect
import calendar as calendar_module
import math
import random
import time as time_module
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from teranga.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseSequence,
    Channel,
    Kind,
    Status,
)
from teranga.cases.services import due_days, tracking_code_for, tracking_hash
from teranga.lib.workdays import WorkingCalendar
from teranga.listening.models import Response
from teranga.network.models import Counter, OpeningHours, Site
from teranga.network.selectors import working_calendar
from teranga.reception.models import Ticket

DEFAULT_SEED = 1
CHUNK_DAYS = 7
RANDOM_ROWS = 65536  # rows of seeded draws; a (site, day, letter) never needs more
CODE_SPACE = 10**8  # 8-digit feedback codes
SITE_CODE_SPAN = 10**4  # codes of one (site, day) stay in a window of this size
CODE_STEP = 7919  # prime to 10^4: k -> (k * 7919 + c) mod 10^4 is a permutation
MAX_PER_SITE_DAY = SITE_CODE_SPAN - 1
OFFER_SLOTS = 16  # a procedure drawn per ticket among 16 weighted slots of its letter
EXPIRE_GRACE_S = 15 * 60  # counters keep calling this long after closing

# (share of the tickets, mean service in minutes) by category code; others get DEFAULT_MIX.
CATEGORY_MIX = {
    "ETATCIVIL": (0.30, 2.8),
    "JUSTICE": (0.11, 4.4),
    "IDENTITE": (0.14, 5.5),
    "ENTREPRISE": (0.07, 7.7),
    "EMPLOI": (0.08, 6.0),
    "NUMERIQUE": (0.16, 4.4),
    "FONCIER": (0.05, 7.2),
    "PROGRAMME": (0.09, 3.9),
}
DEFAULT_MIX = (0.08, 5.0)
# Monday … Sunday (only days with opening hours get tickets at all).
WEEKDAY_FACTOR = (1.22, 1.08, 1.0, 0.97, 0.85, 0.8, 0.7)
TREND_ORIGIN = date(2026, 1, 1)
TREND_PER_YEAR = 1.08
PILOT_PROGRAMME = (date(2025, 1, 1), date(2026, 1, 1))  # pilots' waits fall by a fifth
# Arrival density over the opening slot (fraction 0 → 1): morning peak, lunch lull.
ARRIVALS = [
    (0.0, 0.9),
    (0.05, 1.4),
    (0.15, 1.75),
    (0.3, 1.6),
    (0.45, 1.1),
    (0.55, 0.7),
    (0.65, 0.95),
    (0.8, 0.8),
    (0.93, 0.35),
    (1.0, 0.1),
]
LANGUAGES = (("fr", 550), ("wo", 410), ("en", 40))  # per mille
PRIORITIES = ("elderly", "disability", "pregnancy")  # 1 % of the tickets each, waits × 0.3
# Ratings: channel, share per mille, answer delay range in seconds after the service.
RATING_CHANNELS = (
    ("tablet", 380, 20, 240),
    ("qr", 140, 60, 3600),
    ("ticket", 80, 300, 7200),
    ("sms", 260, 600, 4 * 3600),
    ("ussd", 140, 900, 5 * 3600),
)

COMPLAINTS = [
    "L'attente a été très longue ce matin, sans information sur le délai.",
    "Un seul guichet ouvert pour toute la salle d'attente.",
    "Le ticket appelé ne correspondait pas à l'écran.",
    "On m'a demandé une pièce qui n'était pas dans la liste affichée.",
    "Dama xaar lu yàgg te kenn waxu ma dara.",
    "L'espace a fermé avant l'heure affichée.",
]
SUGGESTIONS = [
    "Ouvrir le samedi matin pour ceux qui travaillent.",
    "Afficher la liste des pièces à fournir à l'entrée.",
    "Ajouter des chaises dans la salle d'attente.",
]
COMPLIMENTS = [
    "Merci à la conseillère, très patiente.",
    "Accueil rapide et aimable, bravo à l'équipe.",
]
FEEDBACK_CHANNELS = (Channel.WEB, Channel.SMS, Channel.COUNTER, Channel.LETTER, Channel.EMAIL)
FEEDBACK_CHANNEL_WEIGHTS = (35, 25, 25, 8, 7)
REQUEST_SHARE = 0.025  # of the tickets for a procedure with an announced deadline
ANSWER = "Merci pour votre message. Nous avons pris les mesures nécessaires."
HOLDING = "Votre demande est en cours d'examen ; nous vous répondrons d'ici la nouvelle date."
REFUSAL = "Dossier incomplet : pièce justificative manquante."


# --- per-site profiles -------------------------------------------------------------------------


@dataclass
class LetterProfile:
    letter: str
    weight: float
    service_s: float  # mean over the letter's procedures, weighted
    offer_base: int  # key of its first slot in the offer lookup
    counters: tuple[int, ...]
    procedures: tuple[tuple[int, float, int, float], ...]  # (pk, weight, deadline, service s)


@dataclass
class SiteProfile:
    pk: int
    code: str
    opened_on: date | None
    hours: dict[int, list[tuple[int, int]]]  # weekday -> [(opens, closes) in seconds]
    counters: tuple[int, ...]
    letters: list[LetterProfile]
    per_hour: float  # arrivals per open hour on an ordinary day at the reference date
    service_s: float
    quality: float  # wait multiplier: below 1 better run
    is_pilot: bool
    target_s: int
    rating_share: int  # per mille of served tickets rated
    slot: int  # the site's window of feedback codes

    def offers(self) -> list[tuple[int, int, int]]:
        """(key, procedure, mean service s) of each draw slot of each letter."""
        rows = []
        for lp in self.letters:
            service = {pk: s for pk, _, _, s in lp.procedures}
            slots = _weighted_slots([(pk, w) for pk, w, _, _ in lp.procedures], OFFER_SLOTS)
            rows += [(lp.offer_base + i, pk, round(service[pk])) for i, pk in enumerate(slots)]
        return rows

    def tracked(self) -> list[tuple[int, float, int]]:
        """(procedure, share of the site's tickets, deadline) of the procedures whose files
        are tracked: those with an announced deadline."""
        return [
            (pk, w * lp.weight, deadline)
            for lp in self.letters
            for pk, w, deadline, _ in lp.procedures
            if deadline >= 1
        ]


def _procedure_draws(seed: int, code: str, category_minutes: float) -> tuple[float, float]:
    """A procedure's popularity within its category and its mean service time (s)."""
    rng = random.Random(f"{seed}:procedure:{code}")
    return rng.lognormvariate(0, 0.6), category_minutes * 60 * rng.uniform(0.75, 1.3)


def site_profiles(sites: Iterable[Site], seed: int) -> list[SiteProfile]:
    """What drives each site's history: its hours, counters, offer, size and quality."""
    sites = list(sites)
    hours: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for h in OpeningHours.objects.filter(site__in=sites).order_by("weekday", "opens"):
        hours[h.site_id][h.weekday].append(
            (h.opens.hour * 3600 + h.opens.minute * 60, h.closes.hour * 3600 + h.closes.minute * 60)
        )
    counters: dict[int, list[Counter]] = defaultdict(list)
    for counter in (
        Counter.objects.filter(site__in=sites, is_active=True)
        .prefetch_related("procedures")
        .order_by("code")
    ):
        counters[counter.site_id].append(counter)
    profiles = []
    offer_key = 0
    for site in sorted(sites, key=lambda s: s.code):
        rng = random.Random(f"{seed}:site:{site.code}")
        by_letter: dict[str, list] = defaultdict(list)
        for p in site.procedures.filter(is_active=True).select_related("category").order_by("code"):
            by_letter[p.category.letter].append(p)
        site_counters = counters[site.pk]
        letters = []
        for letter in sorted(by_letter):
            procs = by_letter[letter]
            share, minutes = CATEGORY_MIX.get(procs[0].category.code, DEFAULT_MIX)
            draws = [(p, *_procedure_draws(seed, p.code, minutes)) for p in procs]
            total = sum(w for _, w, _ in draws)
            offered = {p.pk for p in procs}
            # Counters that serve every procedure of the letter (an empty list serves all).
            serving = [
                c.pk
                for c in site_counters
                if not c.procedures.all() or offered <= {p.pk for p in c.procedures.all()}
            ] or [c.pk for c in site_counters]
            letters.append(
                LetterProfile(
                    letter=letter,
                    weight=share,
                    service_s=sum(w * s for _, w, s in draws) / total,
                    offer_base=offer_key,
                    counters=tuple(serving),
                    procedures=tuple(
                        (p.pk, w / total, p.deadline_max_days, s) for p, w, s in draws
                    ),
                )
            )
            offer_key += OFFER_SLOTS
        if not letters:
            continue
        weight_sum = sum(lp.weight for lp in letters)
        for lp in letters:
            lp.weight /= weight_sum
        service_s = sum(lp.weight * lp.service_s for lp in letters)
        region = site.department.region
        # Use of the counters' capacity on an ordinary day: busier in the capital's region and
        # in the regional capitals, quieter in small towns.
        use = 0.42 + rng.uniform(-0.05, 0.05)
        if region.slug == "dakar":
            use += 0.1
        if site.department.name == region.name:
            use += 0.06
        profiles.append(
            SiteProfile(
                pk=site.pk,
                code=site.code,
                opened_on=site.opened_on,
                hours={d: list(v) for d, v in hours[site.pk].items()},
                counters=tuple(c.pk for c in site_counters),
                letters=letters,
                per_hour=max(1, len(site_counters)) * 3600 / service_s * use,
                service_s=service_s,
                quality=rng.lognormvariate(0, 0.3) * (0.85 if site.is_pilot else 1.0),
                is_pilot=site.is_pilot,
                target_s=site.target_wait_minutes * 60,
                rating_share=rng.randint(150, 300),
                slot=site.pk % (CODE_SPACE // SITE_CODE_SPAN),
            )
        )
    return profiles


def _weighted_slots(items: list[tuple[int, float]], n: int) -> list[int]:
    """n slots shared among the items in proportion to their weights, each at least one."""
    counts = {pk: 1 for pk, _ in items}
    spare = n - len(items)
    if spare < 0:
        items = sorted(items, key=lambda i: -i[1])[:n]
        return [pk for pk, _ in items]
    total = sum(w for _, w in items)
    exact = {pk: w / total * spare for pk, w in items}
    for pk in counts:
        counts[pk] += int(exact[pk])
    left = n - sum(counts.values())
    for pk, _ in sorted(items, key=lambda i: -(exact[i[0]] % 1))[:left]:
        counts[pk] += 1
    return [pk for pk, _ in items for _ in range(counts[pk])]


# --- the days ---------------------------------------------------------------------------------


class Calendar:
    """Closed days and the day-level factors of the arrivals."""

    def __init__(self, working: WorkingCalendar):
        self.working = working
        self._holidays: dict[int, dict[date, str]] = {}
        self._factors: dict[date, float] = {}

    def holidays(self, year: int) -> dict[date, str]:
        if year not in self._holidays:
            self._holidays[year] = self.working.holidays_of(year)
        return self._holidays[year]

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays(day.year)

    def tabaski(self, day: date) -> list[date]:
        return [
            d
            for year in (day.year, day.year + 1)
            for d, name in self.holidays(year).items()
            if "tabaski" in name.lower()
        ]

    def factor(self, day: date) -> float:
        """How busy the day is, all sites alike (1: an ordinary Wednesday of 2026)."""
        if day not in self._factors:
            self._factors[day] = self._factor(day)
        return self._factors[day]

    def _factor(self, day: date) -> float:
        f = WEEKDAY_FACTOR[day.weekday()]
        last = calendar_module.monthrange(day.year, day.month)[1]
        if day.day > last - 5:
            f *= 1.12 + 0.05 * (day.day - (last - 5))  # up to 1.37 on the last day
        elif day.day <= 3:
            f *= 1.15
        for feast in self.tabaski(day):
            ahead = (feast - day).days
            if 1 <= ahead <= 12:
                f *= 1 + 0.45 * (13 - ahead) / 12  # up to 1.45 the day before
        previous = day - timedelta(days=3 if day.weekday() == 0 else 1)
        if self.is_holiday(previous):
            f *= 1.2
        if day.month in (9, 10):
            f *= 1.1  # school year: certificates
        elif day.month in (7, 8):
            f *= 0.93  # rainy season
        return f * TREND_PER_YEAR ** ((day - TREND_ORIGIN).days / 365.25)


def _mean_wait(profile: SiteProfile, arrivals: int, span_s: int, day: date) -> int:
    """Mean wait (s) of a slot from the load of the site's counters: a queue's curve, and a
    backlog growing through the day once arrivals outrun the counters."""
    capacity = max(1, len(profile.counters)) * span_s * 0.92 / profile.service_s
    rho = arrivals / capacity
    factor = 0.8 * min(rho, 0.9) / (1 - min(rho, 0.9))
    factor += max(0.0, rho - 0.9) * span_s / profile.service_s * 0.35
    quality = profile.quality
    if profile.is_pilot:
        start, end = PILOT_PROGRAMME
        progress = min(1.0, max(0.0, (day - start).days / (end - start).days))
        quality *= 1 - 0.2 * progress
    return int(profile.service_s * factor * quality)


@dataclass
class SiteDay:
    profile: SiteProfile
    day: date
    blocks: list[tuple]  # rows of the block lookup, without the code window
    tickets: int
    mean_wait: int  # arrival-weighted, for the day's complaints
    code_perm: int
    seed: int


def plan_site_day(profile: SiteProfile, day: date, cal: Calendar, seed: int) -> SiteDay | None:
    """The (site, day)'s blocks: one per opening slot and letter, with its ticket count."""
    slots = profile.hours.get(day.weekday())
    if not slots or cal.is_holiday(day) or (profile.opened_on and day < profile.opened_on):
        return None
    rng = random.Random(f"{seed}:{profile.code}:{day.isoformat()}")
    factor = cal.factor(day) * rng.lognormvariate(0, 0.1)
    if rng.random() < 0.01:
        factor *= 0.35  # power cut, strike, network down
    day_s = _midnight(day)
    blocks, sequences, k, waited = [], defaultdict(int), 0, 0
    ordinal = day.toordinal()
    for slot_index, (opens, closes) in enumerate(slots[:16]):  # one hex digit in the ids
        span = closes - opens
        expected = profile.per_hour * span / 3600 * factor
        counts = []
        for lp in profile.letters:
            mean = expected * lp.weight
            n = int(mean + rng.gauss(0, math.sqrt(mean)) + 0.5) if mean > 0 else 0
            counts.append(max(0, min(n, MAX_PER_SITE_DAY - k - sum(counts))))
        wait = _mean_wait(profile, sum(counts), span, day)
        for li, (lp, n) in enumerate(zip(profile.letters, counts, strict=True)):
            if not n:
                continue
            counters = lp.counters or (None,)
            c1 = counters[(li + ordinal) % len(counters)]
            c2 = counters[(li + ordinal + 1) % len(counters)]
            prefix = f"{ordinal:06x}{profile.pk:06x}8{slot_index:x}{ord(lp.letter):02x}"
            blocks.append(
                (
                    profile.pk,
                    day,
                    day_s,
                    lp.letter,
                    n,
                    sequences[lp.letter],
                    k,
                    rng.randrange(RANDOM_ROWS),
                    opens,
                    span,
                    closes,
                    wait,
                    c1,
                    c2,
                    400 if lp.weight > 0.2 else 0,
                    lp.offer_base,
                    prefix,
                )
            )
            sequences[lp.letter] += n
            k += n
            waited += n * wait
    if not k:
        return None
    return SiteDay(
        profile=profile,
        day=day,
        blocks=blocks,
        tickets=k,
        mean_wait=waited // k,
        code_perm=rng.randrange(SITE_CODE_SPAN),
        seed=seed,
    )


# --- feedback codes -----------------------------------------------------------------------------

CODE_STEP_INVERSE = pow(CODE_STEP, -1, SITE_CODE_SPAN)


def _code_base(seed: int, day: date, attempt: int) -> int:
    return random.Random(f"{seed}:codes:{day.isoformat()}:{attempt}").randrange(CODE_SPACE)


def _day_code_base(seed: int, day: date, plans: list[SiteDay], taken: set[str]) -> int:
    """A base for the day's codes such that none of the new tickets takes a code an existing
    ticket of that day holds. Code of the k-th ticket of a site (window `slot`):
    base + slot·10^4 + (k·7919 + perm) mod 10^4, modulo 10^8."""
    by_slot = {p.profile.slot: p for p in plans}
    attempt = 0
    while True:
        base = _code_base(seed, day, attempt)
        clash = False
        for code in taken:
            if not code.isdigit():
                continue
            slot, rest = divmod((int(code) - base) % CODE_SPACE, SITE_CODE_SPAN)
            plan = by_slot.get(slot)
            if plan is not None:
                k = (rest - plan.code_perm) * CODE_STEP_INVERSE % SITE_CODE_SPAN
                if k < plan.tickets:
                    clash = True
                    break
        if not clash:
            return base
        attempt += 1


# --- SQL ------------------------------------------------------------------------------------------


class _Dialect:
    """What differs between SQLite and PostgreSQL in the generating statements."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"
        # Local time's offset (Africa/Dakar: none, all year).
        self.offset = int(timezone.localtime().utcoffset().total_seconds())

    def ts(self, seconds: str) -> str:
        """A timestamp from seconds since the epoch (UTC)."""
        if self.pg:
            return f"to_timestamp({seconds})"
        return f"datetime({seconds}, 'unixepoch')"

    def epoch(self, column: str) -> str:
        """Seconds since the epoch of a timestamp, or of a date's UTC midnight."""
        if self.pg:
            return f"extract(epoch from {column})::bigint"
        return f"CAST(strftime('%s', {column}) AS INTEGER)"

    def day_of(self, seconds: str) -> str:
        """The local date of a moment in seconds since the epoch."""
        if self.pg:
            return f"(to_timestamp({seconds}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
        return f"date({seconds} + {self.offset}, 'unixepoch')"

    def code(self, number: str) -> str:
        if self.pg:
            return f"lpad(({number})::text, 8, '0')"
        return f"printf('%08d', {number})"

    def uuid(self, hexa: str) -> str:
        return f"({hexa})::uuid" if self.pg else hexa

    def least(self, *args: str) -> str:
        return f"{'LEAST' if self.pg else 'min'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'GREATEST' if self.pg else 'max'}({', '.join(args)})"

    def integer(self, text: str) -> str:
        return f"({text})::bigint" if self.pg else f"CAST({text} AS INTEGER)"

    @property
    def false(self) -> str:
        return "false" if self.pg else "0"

    def uuid_text(self, column: str) -> str:
        """The 32 hex digits of a UUID column."""
        return f"replace({column}::text, '-', '')" if self.pg else column


# bigint: PostgreSQL computes in the operands' type, and products would overflow int4.
# `integer PRIMARY KEY`: SQLite's rowid itself, the fastest lookup.
LOOKUPS = {
    "history_num": "j integer PRIMARY KEY, hx varchar(4)",
    "history_rnd": (
        "r integer PRIMARY KEY, a bigint, b bigint, c bigint, e bigint, m bigint, z bigint, "
        "hx1 varchar(12), hx2 varchar(12)"
    ),
    "history_shape": "q integer PRIMARY KEY, frac bigint, cong bigint",
    "history_offer": "k integer PRIMARY KEY, procedure_id bigint, svc bigint",
    "history_site": "site_id integer PRIMARY KEY, target_s bigint, share bigint",
    "history_blk": (
        "b integer PRIMARY KEY, site_id bigint, day date, day_s bigint, letter varchar(1), "
        "n bigint, seq0 bigint, kbase bigint, roff bigint, open_s bigint, span bigint, "
        "close_s bigint, mean_wait bigint, c1 bigint, c2 bigint, c2_share bigint, "
        "offer_base bigint, prefix varchar(16), code_base bigint, perm bigint"
    ),
}
SHAPE_STEPS = 10000


def _shape_rows() -> list[tuple[int, int, int]]:
    """For each arrival quantile q (0 … 9999): the fraction of the slot elapsed (per million)
    and the congestion then (per mille; arrival-weighted mean 1000), from ARRIVALS."""
    bins = 1000
    xs = [(i + 0.5) / bins for i in range(bins)]
    px = [p[0] for p in ARRIVALS]

    def density(x):
        i = max(1, bisect.bisect_left(px, x))
        (x0, y0), (x1, y1) = ARRIVALS[i - 1], ARRIVALS[i]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    dens = [density(x) for x in xs]
    mean = sum(dens) / bins
    # A fluid queue: the backlog grows while arrivals outrun the counters (a little above the
    # day's mean), drains after; waits follow the backlog, with a floor.
    backlog, cong = 0.0, []
    for d in dens:
        backlog = max(0.0, backlog + (d - 1.05 * mean) / bins)
        cong.append(backlog)
    top = max(cong) or 1.0
    cong = [0.35 + 1.65 * c / top for c in cong]
    weighted = sum(c * d for c, d in zip(cong, dens, strict=True)) / sum(dens)
    cong = [c / weighted for c in cong]
    cumulative, total = [], 0.0
    for d in dens:
        total += d
        cumulative.append(total)
    rows = []
    for q in range(SHAPE_STEPS):
        target = (q + 0.5) / SHAPE_STEPS * total
        i = min(bisect.bisect_left(cumulative, target), bins - 1)
        before = cumulative[i - 1] if i else 0.0
        x = (i + (target - before) / dens[i]) / bins
        rows.append((q, min(999999, int(x * 1_000_000)), int(cong[i] * 1000)))
    return rows


@lru_cache(maxsize=2)
def _random_rows(seed: int) -> tuple[tuple, ...]:
    """The seeded draws every row picks from: three uniform integers, a wait multiplier
    (gamma of shape 2, mean 1000), a service multiplier (lognormal, mean 1000), a normal
    noise in tenths and 2 × 48 random bits for the ids."""
    rng = random.Random(f"{seed}:draws")
    bits, expo, gauss = rng.getrandbits, rng.expovariate, rng.gauss
    return tuple(
        (
            r,
            bits(31),
            bits(31),
            bits(31),
            min(8000, int((expo(1) + expo(1)) * 500)),
            min(6000, int(math.exp(gauss(-0.125, 0.5)) * 1000)),
            max(-30, min(30, int(gauss(0, 10)))),
            f"{bits(48):012x}",
            f"{bits(48):012x}",
        )
        for r in range(RANDOM_ROWS)
    )


TICKET_COLUMNS = """day, letter, sequence, priority, is_priority, language, status, outcome,
    issued_at, issued_hour, called_at, last_called_at, serving_at, finished_at, wait_seconds,
    service_seconds, recalls, phone, sms_consent, near_sms_sent, client_id, public_id,
    feedback_code, agent_id, counter_id, procedure_id, site_id, target_counter_id"""


def _ticket_sql(d: _Dialect) -> str:
    """One INSERT … SELECT for the blocks in history_blk."""
    return f"INSERT INTO {Ticket._meta.db_table} ({TICKET_COLUMNS}) {ticket_select(d)}"


def ticket_select(d: _Dialect) -> str:
    """The SELECT of the tickets' rows (TICKET_COLUMNS) of the blocks in history_blk: every
    integer computed once (and materialised), then the columns. Random digits: a for the
    arrival time and the counter, b for the procedure, outcome, language and priority, c for
    the no-show and the walk."""
    lang = (
        f"CASE WHEN (b / 16000) % 1000 < {LANGUAGES[0][1]} THEN 'fr' "
        f"WHEN (b / 16000) % 1000 < {LANGUAGES[0][1] + LANGUAGES[1][1]} THEN 'wo' ELSE 'en' END"
    )
    n_priorities = len(PRIORITIES)
    priority = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(PRIORITIES))

    def at(offset: str) -> str:
        return d.ts(f"day_s + {offset}")

    return f"""
        WITH x AS MATERIALIZED (
            SELECT y.*, (iss + w > close_s + {EXPIRE_GRACE_S}) AS ex,
                (c % 1000 < 20 + w / 30) AS ns, iss + w AS called,
                iss + w + 20 + (c / 1000) % 61 AS serving
            FROM (
                SELECT bl.site_id, bl.day, bl.day_s, bl.letter, bl.seq0 + n.j + 1 AS seq,
                    bl.close_s, bl.prefix || n.hx AS pfx, r.hx1, r.hx2, r.b, r.c,
                    o.procedure_id, {d.greatest("45", "o.svc * r.m / 1000")} AS svc,
                    CASE WHEN (r.a / 10000) % 1000 < bl.c2_share THEN bl.c2 ELSE bl.c1 END
                        AS counter_id,
                    (r.c / 61000) % 100 AS prio,
                    bl.open_s + bl.span * s.frac / 1000000 AS iss,
                    bl.mean_wait * s.cong / 1000 * r.e / 1000
                        * (CASE WHEN (r.c / 61000) % 100 < {n_priorities} THEN 3 ELSE 10 END)
                        / 10 AS w,
                    (bl.code_base + ((bl.kbase + n.j) * {CODE_STEP} + bl.perm) % {SITE_CODE_SPAN})
                        % {CODE_SPACE} AS code
                FROM history_blk bl
                JOIN history_num n ON n.j < bl.n
                JOIN history_rnd r ON r.r = (bl.roff + n.j) % {RANDOM_ROWS}
                JOIN history_shape s ON s.q = (n.j * {SHAPE_STEPS} + r.a % {SHAPE_STEPS}) / bl.n
                JOIN history_offer o ON o.k = bl.offer_base + r.b % {OFFER_SLOTS}
            ) y
        )
        SELECT day, letter, seq,
            CASE prio {priority} ELSE 'none' END, (prio < {n_priorities}), {lang},
            CASE WHEN ex THEN 'expired' WHEN ns THEN 'no_show' ELSE 'finished' END,
            CASE WHEN ex OR ns THEN ''
                WHEN (b / 16) % 1000 < 860 THEN 'done'
                WHEN (b / 16) % 1000 < 930 THEN 'redirected' ELSE 'incomplete' END,
            {at("iss")}, iss / 3600,
            CASE WHEN ex THEN NULL ELSE {at("called")} END,
            CASE WHEN ex THEN NULL WHEN ns THEN {at("called + 75")} ELSE {at("called")} END,
            CASE WHEN ex OR ns THEN NULL ELSE {at("serving")} END,
            CASE WHEN ex THEN {at("close_s")} WHEN ns THEN {at("called + 150")}
                ELSE {at("serving + svc")} END,
            CASE WHEN ex THEN NULL ELSE w END,
            CASE WHEN ex OR ns THEN NULL ELSE svc END,
            CASE WHEN ns AND NOT ex THEN 1 ELSE 0 END,
            '', {d.false}, {d.false}, {d.uuid("pfx || hx1")}, {d.uuid("pfx || hx2")},
            {d.code("code")}, NULL, CASE WHEN ex THEN NULL ELSE counter_id END,
            procedure_id, site_id, NULL
        FROM x
    """


def _rating_sql(d: _Dialect, seed: int) -> str:
    """Ratings of a share of the tickets served (id above a bound), in SQL: channel, delay,
    and a rating that falls as the wait grows past the site's target."""
    mix = (seed * 7919) % RANDOM_ROWS
    finished = d.epoch("t.finished_at")
    channel_cases, delay_cases, floor = [], [], 0
    for name, share, low, high in RATING_CHANNELS:
        floor += share
        channel_cases.append(f"WHEN (r.a / 1000) % 1000 < {floor} THEN '{name}'")
        delay_cases.append(f"WHEN (r.a / 1000) % 1000 < {floor} THEN {low} + r.b % {high - low}")
    day_end = f"{d.epoch('t.day')} - {d.offset} + 86399"  # the answer stays on the visit's day
    # In tenths of a star: 4.7 without waiting, 3.8 at the target, 2.0 at three times it.
    score = (
        "47 - 9 * t.wait_seconds / s.target_s + r.z"
        " + CASE t.outcome WHEN 'done' THEN 2 WHEN 'redirected' THEN -5 ELSE -8 END"
    )
    rating = d.greatest("1", d.least("5", f"({score} + 5) / 10"))
    ans = d.least(f"{finished} + CASE {' '.join(delay_cases)} END", day_end)
    resolved = "CASE WHEN t.outcome = 'done' THEN r.c % 100 < 92 ELSE r.c % 100 < 20 END"
    courteous = "((r.c / 100) % 100 < 93)"
    wait_ok = "(t.wait_seconds <= s.target_s)"
    return f"""
        INSERT INTO {Response._meta.db_table} (site_id, channel, ticket_id, procedure_id,
            counter_id, agent_id, device_id, rating, wait_ok, courteous, resolved, comment,
            comment_masked, moderation, language, answered_at, received_at, day, phone_hash,
            client_id)
        WITH x AS MATERIALIZED (
            SELECT t.id, t.site_id, t.procedure_id, t.counter_id, t.language, t.client_id,
                CASE {" ".join(channel_cases)} END AS channel,
                {rating} AS rating, {wait_ok} AS wait_ok, {courteous} AS courteous,
                {resolved} AS resolved, {ans} AS ans
            FROM {Ticket._meta.db_table} t
            JOIN history_site s ON s.site_id = t.site_id
            JOIN history_rnd r ON r.r = ({d.integer("t.feedback_code")} + {mix}) % {RANDOM_ROWS}
            WHERE t.id > {{before}} AND t.day <= '{{last}}' AND t.status = 'finished'
                AND r.a % 1000 < s.share
        )
        SELECT site_id, channel, id, procedure_id, counter_id, NULL, NULL, rating,
            CASE WHEN channel = 'sms' THEN NULL ELSE wait_ok END,
            CASE WHEN channel IN ('sms', 'ussd') THEN NULL ELSE courteous END,
            CASE WHEN channel = 'sms' THEN NULL ELSE resolved END,
            '', '', 'pending', language, {d.ts("ans")}, {d.ts("ans")}, {d.day_of("ans")}, '',
            {d.uuid(_version_swap(d, "client_id"))}
        FROM x
        -- A rating left by a ticket deleted since (ticket set to NULL) keeps its place.
        WHERE 1 = 1
        ON CONFLICT (client_id) DO NOTHING
    """


def _version_swap(d: _Dialect, column: str) -> str:
    """A ticket's client id with the version digit 9 instead of 8: the rating's own id."""
    hexa = d.uuid_text(column)
    return f"substr({hexa}, 1, 12) || '9' || substr({hexa}, 14)"


# --- cases ----------------------------------------------------------------------------------------


def _uuid8(rng: random.Random) -> uuid.UUID:
    """A random UUID of version 8 (never equal to a uuid4), drawn from a seeded generator."""
    value = rng.getrandbits(128)
    value &= ~(0xF000 << 64) & ~(0xC000 << 48)
    value |= (0x8000 << 64) | (0x8000 << 48)
    return uuid.UUID(int=value)


@lru_cache(maxsize=4096)
def _midnight(day: date) -> int:
    """Seconds since the epoch of the local midnight starting `day`."""
    return int(
        datetime.combine(day, datetime.min.time(), timezone.get_current_timezone()).timestamp()
    )


@dataclass(slots=True)
class CaseRow:
    """The values of one Case row (the others take the field's default). Times are seconds
    since the epoch until they are written."""

    site_id: int
    kind: str
    channel: str
    procedure_id: int | None
    message: str
    language: str
    filed_at: int
    due_on_initial: date
    due_on: date
    client_id: uuid.UUID
    status: str = Status.RECEIVED
    is_open: bool = True
    first_reply_at: int | None = None
    first_reply_on_time: bool | None = None
    resolved_at: int | None = None
    resolved_on_time: bool | None = None
    public_answer: str = ""
    refusal_reason: str = ""
    rating: int | None = None
    reference: str = ""
    tracking_hash: str = ""


@dataclass(slots=True)
class EventRow:
    case_id: int
    type: str
    at: int
    from_status: str
    to_status: str
    detail: dict


@dataclass
class CasePlan:
    day: date  # of filing
    case: CaseRow
    events: list[tuple[str, int, str, str, dict]]  # (type, at, from, to, detail)

    def event(self, type_: str, at: int, from_status="", to_status="", detail=None) -> None:
        self.events.append((type_, at, from_status, to_status, detail or {}))

    def move(self, at: int, to: str) -> None:
        """A status change, logged as the service logs it."""
        self.event(CaseEvent.Type.STATUS, at, self.case.status, to)
        self.case.status = to
        self.case.is_open = to in OPEN_STATUSES


class CaseMaker:
    """Complaints, suggestions, compliments and tracked requests of the planned days, as the
    cases services would have recorded them (due dates in working days, replies, statuses)."""

    def __init__(self, cal: Calendar, today: date, now: datetime):
        self.cal = cal
        self.today = today
        self.now = int(now.timestamp())
        self._after: dict[tuple[date, int], date] = {}

    def _working_after(self, day: date, n: int) -> date:
        key = (day, n)
        if key not in self._after:
            self._after[key] = self.cal.working.add_working_days(day, n)
        return self._after[key]

    def _office(self, day: date, rng) -> int | None:
        """A moment during office hours on `day`, or None when that day is not past yet."""
        if day >= self.today:
            return None
        return _midnight(day) + rng.randrange(8 * 3600, 17 * 3600)

    def plan(self, sd: SiteDay) -> list[CasePlan]:
        rng = random.Random(f"{sd.seed}:{sd.profile.code}:{sd.day.isoformat()}:cases")
        profile = sd.profile
        volume = sd.tickets / 200
        bad = max(0.0, sd.mean_wait / profile.target_s - 0.8)
        plans = []
        for kind, mean, texts in (
            (Kind.COMPLAINT, (0.25 + 1.5 * bad) * volume, COMPLAINTS),
            (Kind.SUGGESTION, 0.08 * volume, SUGGESTIONS),
            (Kind.COMPLIMENT, 0.06 * volume * (1.5 if bad == 0 else 0.5), COMPLIMENTS),
        ):
            for _ in range(_poisson(rng, mean)):
                plans.append(self._feedback(sd, kind, rng.choice(texts), rng))
        tracked = profile.tracked()
        if tracked:
            share = sum(w for _, w, _ in tracked)
            for _ in range(_poisson(rng, REQUEST_SHARE * sd.tickets * share)):
                pk, _, deadline = rng.choices(tracked, weights=[w for _, w, _ in tracked])[0]
                plans.append(self._request(sd, pk, deadline, rng))
        return plans

    def _case(self, sd, kind, channel, filed, due, rng, procedure_pk=None, message="") -> CaseRow:
        return CaseRow(
            site_id=sd.profile.pk,
            kind=kind,
            channel=channel,
            procedure_id=procedure_pk,
            message=message,
            language="wo" if message.startswith("Dama") else "fr",
            filed_at=filed,
            due_on_initial=due,
            due_on=due,
            client_id=_uuid8(rng),
        )

    def _feedback(self, sd: SiteDay, kind: str, message: str, rng) -> CasePlan:
        channel = rng.choices(FEEDBACK_CHANNELS, weights=FEEDBACK_CHANNEL_WEIGHTS)[0]
        filed = _midnight(sd.day) + rng.randrange(7 * 3600, 21 * 3600)
        days = due_days(kind=kind, channel=channel)
        due = self._working_after(sd.day, days)
        plan = CasePlan(sd.day, self._case(sd, kind, channel, filed, due, rng, message=message), [])
        case = plan.case
        plan.event(CaseEvent.Type.FILED, filed, detail={"days": days})
        draw = rng.random()
        if draw < 0.05:  # a holding reply before the due date, then the answer (mostly in time)
            holding_day = self._working_after(sd.day, rng.randint(1, max(1, days - 1)))
            at = self._office(holding_day, rng)
            if at is None:
                return plan
            new_due = self._working_after(due, rng.randint(5, 10))
            detail = {"from": due.isoformat(), "to": new_due.isoformat(), "text": HOLDING}
            plan.event(CaseEvent.Type.HOLDING, at, detail=detail)
            case.first_reply_at, case.first_reply_on_time = at, holding_day <= due
            case.due_on, case.public_answer = new_due, HOLDING
            plan.move(at, Status.IN_PROGRESS)
            answer_day = self._working_after(holding_day, rng.randint(1, 8))
        elif draw < 0.05 + 0.1 * sd.profile.quality:  # late: worse-run sites more often
            answer_day = self._working_after(due, rng.randint(1, 8))
        else:
            answer_day = self._working_after(sd.day, rng.randint(1, max(1, days)))
        at = self._office(answer_day, rng)
        if at is None:
            return plan
        if case.first_reply_at is None:
            case.first_reply_at = at
            case.first_reply_on_time = answer_day <= case.due_on_initial
        case.resolved_at, case.resolved_on_time = at, answer_day <= case.due_on
        case.public_answer = ANSWER
        plan.event(CaseEvent.Type.ANSWERED, at)
        plan.move(at, Status.ANSWERED)
        if rng.random() < 0.2:
            mean = 4.2 if case.resolved_on_time else 2.6
            case.rating = max(1, min(5, round(rng.gauss(mean, 1))))
            plan.event(CaseEvent.Type.RATED, at + 3600, detail={"rating": case.rating})
        if rng.random() < 0.5:
            closed = self._office(answer_day + timedelta(days=rng.randint(3, 20)), rng)
            if closed is not None:
                plan.move(closed, Status.CLOSED)
        return plan

    def _request(self, sd: SiteDay, procedure_pk: int, deadline: int, rng) -> CasePlan:
        filed = self._office(sd.day, rng)
        due = self._working_after(sd.day, deadline)
        plan = CasePlan(
            sd.day, self._case(sd, Kind.REQUEST, Channel.COUNTER, filed, due, rng, procedure_pk), []
        )
        case = plan.case
        plan.event(CaseEvent.Type.FILED, filed, detail={"days": deadline})
        draw = rng.random()
        if draw < 0.05:
            to, done_day = Status.REFUSED, self._working_after(sd.day, 1)
        elif draw < 0.05 + 0.12 * sd.profile.quality:  # late
            to, done_day = Status.READY, self._working_after(due, rng.randint(1, 6))
        else:
            to, done_day = Status.READY, self._working_after(sd.day, rng.randint(1, deadline))
        at = self._office(done_day, rng)
        if at is None:  # still being processed
            started = self._office(self._working_after(sd.day, 1), rng)
            if started is not None:
                plan.move(started, Status.IN_PROGRESS)
            return plan
        case.first_reply_at, case.first_reply_on_time = at, done_day <= case.due_on_initial
        case.resolved_at, case.resolved_on_time = at, done_day <= case.due_on
        if to == Status.REFUSED:
            case.refusal_reason = REFUSAL
            plan.event(CaseEvent.Type.STATUS, at, case.status, to, {"reason": REFUSAL})
            case.status, case.is_open = to, False
            return plan
        plan.move(at, to)
        handed = self._office(done_day + timedelta(days=rng.randint(1, 10)), rng)
        if handed is not None and rng.random() < 0.8:
            plan.move(handed, Status.HANDED_OVER)
        return plan


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: the means here are small."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _cases_insert(plans: list[CasePlan], sites: dict[int, str]) -> int:
    """Number the cases (a range of CaseSequence reserved per site, year and prefix, in filing
    order, as _reference_take would have given them), then write them and their events."""
    # Cases of a (site, day) written again after its tickets were deleted stay as they were.
    kept = set(
        Case.objects.filter(client_id__in=[p.case.client_id for p in plans]).values_list(
            "client_id", flat=True
        )
    )
    plans = [p for p in plans if p.case.client_id not in kept]
    if not plans:
        return 0
    wanted: dict[tuple[int, int, str], list[CasePlan]] = defaultdict(list)
    for plan in sorted(plans, key=lambda p: (p.case.filed_at, p.case.client_id)):
        case = plan.case
        prefix = "D" if case.kind == Kind.REQUEST else "R"
        wanted[(case.site_id, plan.day.year, prefix)].append(plan)
    table = CaseSequence._meta.db_table
    with connection.cursor() as cursor:
        for (site_id, year, prefix), group in sorted(wanted.items()):
            cursor.execute(
                f"INSERT INTO {table} (site_id, year, prefix, last) VALUES (%s, %s, %s, %s) "
                f"ON CONFLICT (site_id, year, prefix) DO UPDATE SET last = {table}.last + %s "
                "RETURNING last",
                [site_id, year, prefix, len(group), len(group)],
            )
            (last,) = cursor.fetchone()
            for number, plan in enumerate(group, start=last - len(group) + 1):
                case = plan.case
                case.reference = f"{prefix}-{sites[site_id]}-{year}-{number:05d}"
                case.tracking_hash = tracking_hash(
                    case.reference, tracking_code_for(case.client_id)
                )
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Case._meta.db_table}")
        (before,) = cursor.fetchone()
        ordered = [p for group in wanted.values() for p in group]
        _rows_insert(cursor, Case, [p.case for p in ordered])
        ids = dict(Case.objects.filter(pk__gt=before).values_list("client_id", "pk"))
        _rows_insert(
            cursor,
            CaseEvent,
            [EventRow(ids[p.case.client_id], *event) for p in ordered for event in p.events],
        )
    return len(ordered)


def _converter(field) -> Callable | None:
    """The backend's value for a field of a row: times (seconds since the epoch), dates,
    UUIDs and JSON converted, the rest as is."""
    kind = field.get_internal_type()
    ops, pg = connection.ops, connection.vendor == "postgresql"
    if kind == "DateTimeField":
        if pg:
            return lambda seconds: datetime.fromtimestamp(seconds, UTC)
        return lambda seconds: time_module.strftime(
            "%Y-%m-%d %H:%M:%S", time_module.gmtime(seconds)
        )
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "UUIDField" and not connection.features.has_native_uuid_field:
        return lambda value: value.hex
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    return None


def _rows_insert(cursor, model, rows: list) -> None:
    """INSERT rows (CaseRow, EventRow) of a model: bulk_create's model instances and compiler
    cost more than the rows here. A field the row lacks takes its default."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set(type(rows[0]).__slots__)
    plan = [
        (f.attname if f.attname in given else None, _converter(f), f.get_default()) for f in fields
    ]
    values = []
    for row in rows:
        line = []
        for name, convert, default in plan:
            value = getattr(row, name) if name else default
            line.append(convert(value) if convert and value is not None else value)
        values.append(line)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    _values_insert(cursor, f"{model._meta.db_table} ({columns})", values)


def _values_insert(cursor, into: str, rows: list, batch: int = 500) -> None:
    """INSERT rows: COPY on PostgreSQL (executemany is a round trip per row there, long
    VALUES lists are slow to parse), multi-row VALUES on SQLite."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {into} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        one = f"({', '.join(['%s'] * len(part[0]))})"
        cursor.execute(
            f"INSERT INTO {into} VALUES {', '.join([one] * len(part))}",
            [value for row in part for value in row],
        )


# --- the load --------------------------------------------------------------------------------


@dataclass
class Progress:
    """Totals so far; `phases` maps tickets, ratings, cases and commit to the [wall, CPU]
    seconds they took (CPU of this process only: PostgreSQL's own work is not in it)."""

    days: int
    days_done: int = 0
    last_day: date | None = None
    tickets: int = 0
    ratings: int = 0
    cases: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    phases: dict[str, list[float]] = field(
        default_factory=lambda: {name: [0.0, 0.0] for name in PHASES}
    )

    @staticmethod
    def mark() -> tuple[float, float]:
        return time_module.monotonic(), time_module.process_time()

    def add(self, name: str, since: tuple[float, float]) -> None:
        wall, cpu = self.mark()
        self.phases[name][0] += wall - since[0]
        self.phases[name][1] += cpu - since[1]

    @contextmanager
    def phase(self, name: str):
        since = self.mark()
        try:
            yield
        finally:
            self.add(name, since)


PHASES = ("tickets", "ratings", "cases", "commit")
ANALYZED = (Ticket, Response, Case, CaseEvent)


class _SqliteLoad:
    """Faster writes for the load's connection only, restored afterwards."""

    SETTINGS = {"synchronous": "OFF", "cache_size": "-65536", "temp_store": "MEMORY"}

    def __enter__(self):
        self.saved = {}
        with connection.cursor() as cursor:
            for name, value in self.SETTINGS.items():
                cursor.execute(f"PRAGMA {name}")
                self.saved[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {value}")
            # Every value joined comes from these tables: checking the keys again costs more
            # than the insert. Not changeable inside a transaction, hence here.
            cursor.execute("PRAGMA foreign_keys")
            self.saved["foreign_keys"] = cursor.fetchone()[0]
            cursor.execute("PRAGMA foreign_keys = OFF")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            for name, value in self.saved.items():
                cursor.execute(f"PRAGMA {name} = {value}")


def _lookups_create(cursor, profiles: list[SiteProfile], seed: int, max_block: int) -> None:
    for name, columns in LOOKUPS.items():
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
    _values_insert(cursor, "history_num", [(j, f"{j:04x}") for j in range(max_block)])
    _values_insert(cursor, "history_rnd", _random_rows(seed))
    _values_insert(cursor, "history_shape", _shape_rows())
    _values_insert(cursor, "history_offer", [o for p in profiles for o in p.offers()])
    _values_insert(cursor, "history_site", [(p.pk, p.target_s, p.rating_share) for p in profiles])


def _lookups_drop(cursor) -> None:
    for name in LOOKUPS:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _existing_site_days(site_ids: list[int], first: date, last: date) -> set[tuple[int, date]]:
    return set(
        Ticket.objects.filter(site_id__in=site_ids, day__range=(first, last))
        .values_list("site_id", "day")
        .distinct()
        .order_by()
    )


def _taken_codes(first: date, last: date) -> dict[date, set[str]]:
    taken = defaultdict(set)
    for day, code in (
        Ticket.objects.filter(day__range=(first, last))
        .values_list("day", "feedback_code")
        .order_by()
    ):
        taken[day].add(code)
    return taken


def history_generate(
    *,
    days: int,
    sites: Iterable[Site] | None = None,
    seed: int = DEFAULT_SEED,
    ratings: bool = True,
    cases: bool = True,
    progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Write the history of the `days` days before today at `sites` (default: all), with
    the ratings and cases unless told not to. Returns the totals; `progress` is called after
    each chunk of days."""
    if days < 1:
        raise ValueError("days must be at least 1")
    chosen = (
        Site.objects.all() if sites is None else Site.objects.filter(pk__in=[s.pk for s in sites])
    )
    load = _Load(list(chosen.select_related("department__region").order_by("code")), seed)
    load.ratings, load.cases = ratings, cases
    totals = load.totals = Progress(days=days)
    started = Progress.mark()
    today = load.maker.today
    # SQLite refuses these settings inside a transaction (the tests' own, a caller's atomic):
    # there the load just runs with the connection's usual ones.
    fast = connection.vendor == "sqlite" and not connection.in_atomic_block
    with _SqliteLoad() if fast else nullcontext():
        with connection.cursor() as cursor:
            _lookups_create(cursor, load.profiles, seed, MAX_PER_SITE_DAY + 1)
        try:
            for day, last in day_chunks(days, today):
                load.chunk(day, last)
                totals.days_done += (last - day).days + 1
                totals.last_day = last
                totals.seconds, totals.cpu_seconds = _since(started)
                if progress is not None:
                    progress(totals)
        finally:
            with connection.cursor() as cursor:
                _lookups_drop(cursor)
    if load.dialect.pg and totals.tickets:
        # Fresh statistics, as autovacuum would give later: the planner must not see empty
        # tables (nested loops over history). SQLite is left as the application runs it.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in ANALYZED)}")
    totals.seconds, totals.cpu_seconds = _since(started)
    return totals


def day_chunks(days: int, today: date) -> Iterator[tuple[date, date]]:
    """(first, last) of each chunk of at most CHUNK_DAYS of the `days` days before today."""
    day = today - timedelta(days=days)
    while day < today:
        last = min(day + timedelta(days=CHUNK_DAYS - 1), today - timedelta(days=1))
        yield day, last
        day = last + timedelta(days=1)


def days_for(tickets: int, sites: Iterable[Site] | None = None, seed: int = DEFAULT_SEED) -> int:
    """How many days before today hold about `tickets` tickets at `sites` (default: all), as
    history_generate would plan them (nothing is written): the benchmark asks for a size."""
    chosen = (
        Site.objects.all() if sites is None else Site.objects.filter(pk__in=[s.pk for s in sites])
    )
    load = _Load(list(chosen.select_related("department__region").order_by("code")), seed)
    day, total = load.maker.today, 0
    while total < tickets:
        day -= timedelta(days=1)
        plans = (plan_site_day(p, day, load.cal, seed) for p in load.profiles)
        total += sum(plan.tickets for plan in plans if plan is not None)
        if (load.maker.today - day).days > 100 * 366:
            break  # sites that never open
    return (load.maker.today - day).days


def _since(mark: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = Progress.mark()
    return wall - mark[0], cpu - mark[1]


class _Load:
    """One run: the sites' profiles, the calendar, the statements, the totals."""

    ratings = cases = True
    superuser: bool | None = None  # PostgreSQL: may the load skip the foreign-key checks?
    totals: Progress

    def __init__(self, sites: list[Site], seed: int):
        self.seed = seed
        self.profiles = site_profiles(sites, seed)
        slots = [p.slot for p in self.profiles]
        if len(set(slots)) < len(slots):
            raise ValueError("Two sites share a window of feedback codes (ids 10,000 apart).")
        self.cal = Calendar(working_calendar())
        now = timezone.now()
        self.maker = CaseMaker(self.cal, timezone.localdate(now), now)
        self.codes = {s.pk: s.code for s in sites}
        self.dialect = _Dialect(connection.vendor)
        self.ticket_sql = _ticket_sql(self.dialect)
        self.rating_sql = _rating_sql(self.dialect, seed)

    def chunk(self, first: date, last: date) -> None:
        """One transaction: the chunk's tickets, then their ratings and the cases."""
        totals = self.totals
        with totals.phase("tickets"):
            plans = self.plans(first, last)
            if not plans:
                return
            rows = self.blocks(plans, _taken_codes(first, last))
        with transaction.atomic():
            with totals.phase("tickets"), connection.cursor() as cursor:
                if self.dialect.pg:
                    self._pg_load_settings(cursor)
                cursor.execute("DELETE FROM history_blk")
                _values_insert(cursor, "history_blk", rows)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Ticket._meta.db_table}")
                (before,) = cursor.fetchone()
                cursor.execute(self.ticket_sql)
                totals.tickets += sum(p.tickets for day in plans.values() for p in day)
            if self.ratings:
                with totals.phase("ratings"), connection.cursor() as cursor:
                    # Our own integer and date inlined: no parameters, '%' stays an operator.
                    sql = self.rating_sql.format(before=int(before), last=last.isoformat())
                    cursor.execute(sql)
                    totals.ratings += cursor.rowcount
            if self.cases:
                with totals.phase("cases"):
                    planned = [c for day in plans.values() for p in day for c in self.maker.plan(p)]
                    totals.cases += _cases_insert(planned, self.codes)
            committing = totals.mark()
        totals.add("commit", committing)

    def _pg_load_settings(self, cursor) -> None:
        """For this transaction only: no wait for the WAL flush at commit (a crash loses at
        most the last chunks, whole), no JIT, and, when allowed (superuser), no foreign-key checks:
        PostgreSQL runs Django's deferred ones at commit, one lookup per key per row, and every
        key written comes from the database itself. SQLite's equivalent is _SqliteLoad."""
        cursor.execute("SET LOCAL synchronous_commit = off")
        # The lookups have no statistics: the planner's guess (millions of rows) would have
        # each statement compiled by the JIT, a second of work for a few milliseconds' gain.
        cursor.execute("SET LOCAL jit = off")
        if self.superuser is None:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self.superuser = bool(cursor.fetchone()[0])
        if self.superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")

    def plans(self, first: date, last: date, *, fresh=True) -> dict[date, list[SiteDay]]:
        """The chunk's (site, day) pairs to write: open days without tickets yet (with every
        open day when not `fresh`)."""
        existing = (
            _existing_site_days([p.pk for p in self.profiles], first, last) if fresh else set()
        )
        plans: dict[date, list[SiteDay]] = defaultdict(list)
        day = first
        while day <= last:
            for profile in self.profiles:
                if (profile.pk, day) not in existing:
                    plan = plan_site_day(profile, day, self.cal, self.seed)
                    if plan is not None:
                        plans[day].append(plan)
            day += timedelta(days=1)
        return plans

    def blocks(self, plans: dict[date, list[SiteDay]], taken: dict[date, set[str]]) -> list:
        """The rows of history_blk: each block with its feedback-code window."""
        rows = []
        for day, day_plans in sorted(plans.items()):
            base = _day_code_base(self.seed, day, day_plans, taken.get(day, set()))
            for plan in day_plans:
                code_base = (base + plan.profile.slot * SITE_CODE_SPAN) % CODE_SPACE
                for block in plan.blocks:
                    row = (len(rows), *block, code_base, plan.code_perm)
                    # SQLite keeps dates as ISO text; PostgreSQL gets a date.
                    rows.append(
                        row if self.dialect.pg else (*row[:2], row[2].isoformat(), *row[3:])
                    )
        return rows
